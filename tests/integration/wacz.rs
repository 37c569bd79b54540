//! WACZ packages, manifests and `harava verify`, checked against the format's own tools:
//! py-wacz's `wacz validate` and pywb's replay, each in a venv of its own under the target
//! directory (made by `scripts/python-tools.sh`; without them those checks are skipped with a
//! message and the rest still runs).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::util::{TestServer, crawl, run, samples, stderr};

const FAST: &[&str] = &["--rate", "0", "--retries", "1", "--timeout", "5"];

/// The sample site's detail pages: every `muistiot/*/index.html`, by URL path.
fn detail_pages() -> Vec<(String, Vec<u8>)> {
    let mut pages: Vec<(String, Vec<u8>)> = std::fs::read_dir(samples().join("muistiot"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|dir| {
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            (
                format!("/muistiot/{name}/"),
                std::fs::read(dir.join("index.html")).unwrap(),
            )
        })
        .collect();
    pages.sort();
    pages
}

/// Crawl the sample site with `args` added; the output must be a success.
fn crawl_samples(server: &TestServer, args: &[&str]) {
    let mut all = FAST.to_vec();
    all.extend_from_slice(args);
    let start = [
        server.url("/kuntajohtajakokous/"),
        server.url("/strateginen-johtoryhma/"),
    ];
    all.extend(start.iter().map(String::as_str));
    let output = crawl(&all);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

fn sha256(bytes: &[u8]) -> String {
    format!(
        "sha256:{}",
        Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    )
}

/// Every entry of a ZIP file: name, bytes, and whether it is stored uncompressed.
fn entries(path: &Path) -> Vec<(String, Vec<u8>, bool)> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut all = Vec::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        let stored = entry.compression() == zip::CompressionMethod::Stored;
        all.push((entry.name().unwrap().into_owned(), bytes, stored));
    }
    all.sort();
    all
}

fn entry<'e>(entries: &'e [(String, Vec<u8>, bool)], name: &str) -> &'e [u8] {
    &entries
        .iter()
        .find(|(n, _, _)| n == name)
        .unwrap_or_else(|| panic!("no {name} in the package"))
        .1
}

fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn crawl_with_wacz_writes_a_package_of_warc_index_pages_and_records() {
    let server = TestServer::samples();
    let dir = tempfile::tempdir().unwrap();
    let wacz = dir.path().join("uusimaa.wacz");
    let jsonl = dir.path().join("m.jsonl");
    crawl_samples(
        &server,
        &[
            "--wacz",
            wacz.to_str().unwrap(),
            "-o",
            jsonl.to_str().unwrap(),
        ],
    );
    assert_eq!(
        file_names(dir.path()),
        ["m.jsonl", "uusimaa.wacz"],
        "the staged WARC is gone"
    );
    let entries = entries(&wacz);
    let names: Vec<&str> = entries.iter().map(|(n, _, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "archive/uusimaa.warc.gz",
            "datapackage-digest.json",
            "datapackage.json",
            "indexes/index.cdx",
            "pages/pages.jsonl",
            "records/records.jsonl",
        ]
    );
    assert!(
        entries.iter().all(|(_, _, stored)| *stored),
        "stored, so replay can seek into the WARC"
    );
    assert_eq!(
        entry(&entries, "records/records.jsonl"),
        std::fs::read(&jsonl).unwrap()
    );

    let datapackage: Value = serde_json::from_slice(entry(&entries, "datapackage.json")).unwrap();
    assert_eq!(datapackage["profile"], "data-package");
    assert_eq!(datapackage["wacz_version"], "1.1.1");
    assert_eq!(
        datapackage["software"],
        format!("harava {}", env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(
        datapackage["title"],
        format!(
            "harava crawl of {}, {}",
            server.url("/kuntajohtajakokous/"),
            server.url("/strateginen-johtoryhma/")
        )
    );
    let resources = datapackage["resources"].as_array().unwrap();
    let listed: Vec<&str> = resources
        .iter()
        .map(|r| r["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        listed,
        [
            "archive/uusimaa.warc.gz",
            "indexes/index.cdx",
            "pages/pages.jsonl",
            "records/records.jsonl"
        ]
    );
    for resource in resources {
        let bytes = entry(&entries, resource["path"].as_str().unwrap());
        assert_eq!(resource["hash"], sha256(bytes));
        assert_eq!(resource["bytes"], bytes.len() as u64);
    }
    let digest: Value = serde_json::from_slice(entry(&entries, "datapackage-digest.json")).unwrap();
    assert_eq!(digest["path"], "datapackage.json");
    assert_eq!(digest["hash"], sha256(entry(&entries, "datapackage.json")));
    let manifest = &datapackage["harava"];
    assert_eq!(manifest["counts"]["records_written"], 19);
    assert_eq!(manifest["counts"]["wacz_captures"], 26);
    assert_eq!(manifest["counts"]["wacz_pages"], 25);
    let profiles: Vec<&Value> = manifest["profiles"].as_array().unwrap().iter().collect();
    assert_eq!(
        profiles
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["dynasty", "tweb", "uusimaa2019"],
        "--profile auto uses every bundled profile"
    );
    assert_eq!(manifest["files"][0]["role"], "records");
    assert_eq!(manifest["files"][0]["path"], "m.jsonl");
    assert_eq!(
        manifest["files"][0]["sha256"],
        sha256(&std::fs::read(&jsonl).unwrap())
    );

    // robots.txt, 6 listing pages and 19 detail pages, each one response.
    let index = String::from_utf8(entry(&entries, "indexes/index.cdx").to_vec()).unwrap();
    let lines: Vec<&str> = index.lines().collect();
    assert_eq!(lines.len(), 26);
    let mut sorted = lines.clone();
    sorted.sort();
    assert_eq!(lines, sorted);
    let key = format!("1,0,0,127:{})/", server.address.port());
    assert!(lines.iter().all(|l| l.starts_with(&key)), "{index}");
    assert!(
        index.contains(&format!("{key}robots.txt "))
            && index.contains("\"mime\": \"text/plain\", \"status\": \"200\""),
        "{index}"
    );

    let pages = String::from_utf8(entry(&entries, "pages/pages.jsonl").to_vec()).unwrap();
    let mut lines = pages.lines();
    assert_eq!(
        lines.next(),
        Some(r#"{"format":"json-pages-1.0","id":"pages","title":"All Pages"}"#)
    );
    let pages: Vec<Value> = lines.map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(pages.len(), 25);
    let first_detail = server.url("/muistiot/kuntajohtajakokous-10-5-2017/");
    let page = pages.iter().find(|p| p["url"] == first_detail).unwrap();
    assert_eq!(page["seed"], true);
    let html = String::from_utf8(detail_pages()[0].1.clone()).unwrap();
    let title = &html[html.find("<title>").unwrap() + 7..html.find("</title>").unwrap()];
    assert_eq!(
        page["title"].as_str().unwrap(),
        title.replace("&#8211;", "–").replace("&amp;", "&")
    );
}

/// The venv of a Python tool made by `scripts/python-tools.sh`, if it is there.
fn python_tool(venv: &str, program: &str) -> Option<PathBuf> {
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().unwrap();
    let path = target.join("py").join(venv).join("bin").join(program);
    if path.exists() {
        Some(path)
    } else {
        println!(
            "SKIPPED: {} is missing; run scripts/python-tools.sh (needs python3 with venv) to check WACZ packages with the standard tools",
            path.display()
        );
        None
    }
}

#[test]
fn wacz_validate_accepts_the_package_and_pywb_replays_every_detail_page_byte_for_byte() {
    let (Some(validate), Some(wayback)) =
        (python_tool("wacz", "wacz"), python_tool("pywb", "wayback"))
    else {
        return;
    };
    let server = TestServer::samples();
    let dir = tempfile::tempdir().unwrap();
    let wacz = dir.path().join("samples.wacz");
    crawl_samples(&server, &["--wacz", wacz.to_str().unwrap()]);
    let base = server.url("");
    let url = |path: &str| format!("{base}{path}");
    drop(server);

    let output = Command::new(&validate)
        .args(["validate", "-f", wacz.to_str().unwrap()])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{said}{}", stderr(&output));
    assert!(
        said.contains("Validation succeeded, the passed WACZ is valid"),
        "{said}"
    );

    // A pywb collection of the package's WARC and of harava's own index (not one pywb
    // made): the replay can only find the pages through harava's SURT keys and offsets.
    let entries = entries(&wacz);
    let root = dir.path().join("pywb");
    let collection = root.join("collections/samples");
    std::fs::create_dir_all(collection.join("archive")).unwrap();
    std::fs::create_dir_all(collection.join("indexes")).unwrap();
    std::fs::write(
        collection.join("archive/samples.warc.gz"),
        entry(&entries, "archive/samples.warc.gz"),
    )
    .unwrap();
    let index = String::from_utf8(entry(&entries, "indexes/index.cdx").to_vec()).unwrap();
    std::fs::write(collection.join("indexes/index.cdxj"), &index).unwrap();
    // The reference indexer (cdxj-indexer, which py-wacz uses) writes the same lines.
    let indexer = validate.with_file_name("cdxj-indexer");
    let output = Command::new(&indexer)
        .args(["--sort", "samples.warc.gz"])
        .current_dir(collection.join("archive"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(String::from_utf8_lossy(&output.stdout), index);
    std::fs::write(
        root.join("config.yaml"),
        "collections_root: collections\nenable_memento: true\n",
    )
    .unwrap();
    let pywb_port = free_port();
    let _pywb = Killed(
        Command::new(&wayback)
            .args(["--bind", "127.0.0.1", "--port", &pywb_port.to_string()])
            .current_dir(&root)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = reqwest::Client::new();
    let get = |url: String| {
        runtime.block_on(async {
            let response = client.get(&url).send().await?;
            let status = response.status().as_u16();
            Ok::<_, reqwest::Error>((status, response.bytes().await?.to_vec()))
        })
    };
    let started = Instant::now();
    while get(format!("http://127.0.0.1:{pywb_port}/")).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "pywb did not start on port {pywb_port}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }

    let pages = detail_pages();
    assert_eq!(pages.len(), 19);
    for (path, expected) in pages {
        let original = url(&path);
        let line = index
            .lines()
            .find(|l| l.contains(&format!("\"url\": \"{original}\"")))
            .unwrap_or_else(|| panic!("{original} is not in the index"));
        let timestamp = line.split(' ').nth(1).unwrap();
        let (status, body) = get(format!(
            "http://127.0.0.1:{pywb_port}/samples/{timestamp}id_/{original}"
        ))
        .unwrap();
        assert_eq!(status, 200, "{original}");
        assert!(
            body == expected,
            "{original} replays other bytes than were served"
        );
    }
}

/// Kills the child process when the test ends, however it ends.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Change one byte of `path` at `at`.
fn flip(path: &Path, at: usize) {
    let mut bytes = std::fs::read(path).unwrap();
    bytes[at] ^= 0x01;
    std::fs::write(path, bytes).unwrap();
}

/// Where an entry's stored bytes start inside the ZIP file.
fn data_start(wacz: &Path, name: &str) -> usize {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(wacz).unwrap()).unwrap();
    zip.by_name(name).unwrap().data_start().unwrap() as usize
}

fn verify(path: &Path) -> (Option<i32>, String, String) {
    let output = run(&["verify", path.to_str().unwrap()]);
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr(&output),
    )
}

#[test]
fn verify_passes_on_a_fresh_dataset_and_names_the_file_one_changed_byte_is_in() {
    let server = TestServer::samples();
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name);
    crawl_samples(
        &server,
        &[
            "-o",
            path("m.jsonl").to_str().unwrap(),
            "--warc",
            path("m.warc.gz").to_str().unwrap(),
            "--stats",
            path("stats.json").to_str().unwrap(),
            "--wacz",
            path("m.wacz").to_str().unwrap(),
            "--manifest",
            path("manifest.json").to_str().unwrap(),
        ],
    );
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(path("manifest.json")).unwrap()).unwrap();
    assert_eq!(
        manifest["software"],
        format!("harava {}", env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(manifest["command"][0], env!("CARGO_BIN_EXE_harava"));
    assert_eq!(manifest["command"][1], "crawl");
    assert_eq!(manifest["outcome"], "ok");
    assert_eq!(manifest["counts"]["records_written"], 19);
    assert_eq!(manifest["counts"]["pages_failed"], 0);
    assert_eq!(manifest["failures"], serde_json::json!([]));
    let files: Vec<(&str, &str)> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["role"].as_str().unwrap(), f["path"].as_str().unwrap()))
        .collect();
    assert_eq!(
        files,
        [
            ("records", "m.jsonl"),
            ("warc", "m.warc.gz"),
            ("stats", "stats.json"),
            ("wacz", "m.wacz")
        ]
    );
    for file in manifest["files"].as_array().unwrap() {
        let bytes = std::fs::read(path(file["path"].as_str().unwrap())).unwrap();
        assert_eq!(file["sha256"], sha256(&bytes));
        assert_eq!(file["bytes"], bytes.len() as u64);
    }
    assert!(manifest["started"].as_str().unwrap() <= manifest["ended"].as_str().unwrap());

    let (code, out, _) = verify(&path("manifest.json"));
    assert_eq!(code, Some(0), "{out}");
    let checked: Vec<String> = ["m.jsonl", "m.warc.gz", "stats.json", "m.wacz"]
        .iter()
        .map(|n| format!("ok       {}", path(n).display()))
        .collect();
    assert_eq!(out.lines().collect::<Vec<_>>(), checked);
    let wacz = path("m.wacz");
    let (code, out, _) = verify(&wacz);
    assert_eq!(code, Some(0), "{out}");
    let checked: Vec<String> = [
        "datapackage.json",
        "archive/m.warc.gz",
        "indexes/index.cdx",
        "pages/pages.jsonl",
        "records/records.jsonl",
    ]
    .iter()
    .map(|n| format!("ok       {}:{n}", wacz.display()))
    .collect();
    assert_eq!(out.lines().collect::<Vec<_>>(), checked);

    // One byte of the JSONL, then of the WARC, for the manifest.
    for name in ["m.jsonl", "m.warc.gz"] {
        let file = path(name);
        let original = std::fs::read(&file).unwrap();
        flip(&file, original.len() / 2);
        let (code, out, err) = verify(&path("manifest.json"));
        assert_eq!(code, Some(1), "{out}");
        assert!(
            out.contains(&format!("CHANGED  {}: ", file.display())),
            "{out}"
        );
        assert!(
            err.contains(&format!(
                "harava: verify: 1 of 4 files changed or missing: {}",
                file.display()
            )),
            "{err}"
        );
        std::fs::write(&file, original).unwrap();
    }
    // And inside the package.
    for name in ["records/records.jsonl", "archive/m.warc.gz"] {
        let original = std::fs::read(&wacz).unwrap();
        flip(&wacz, data_start(&wacz, name) + 100);
        let (code, out, err) = verify(&wacz);
        assert_eq!(code, Some(1), "{out}");
        let named = format!("{}:{name}", wacz.display());
        assert!(out.contains(&format!("CHANGED  {named}: ")), "{out}");
        assert!(
            err.contains(&format!("1 of 5 files changed or missing: {named}")),
            "{err}"
        );
        std::fs::write(&wacz, original).unwrap();
    }
    std::fs::remove_file(path("stats.json")).unwrap();
    let (code, out, _) = verify(&path("manifest.json"));
    assert_eq!(code, Some(1));
    assert!(
        out.contains(&format!("MISSING  {}", path("stats.json").display())),
        "{out}"
    );

    // `pack` of the same WARC and records makes the same package contents.
    let packed = path("packed.wacz");
    let output = run(&[
        "pack",
        "--warc",
        path("m.warc.gz").to_str().unwrap(),
        "--records",
        path("m.jsonl").to_str().unwrap(),
        "-o",
        packed.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        stderr(&output),
        format!(
            "harava: packed 26 captures, 25 pages and 19 records into {}\n",
            packed.display()
        )
    );
    let (crawled, packed) = (entries(&wacz), entries(&packed));
    for name in [
        "archive/m.warc.gz",
        "indexes/index.cdx",
        "pages/pages.jsonl",
        "records/records.jsonl",
    ] {
        assert!(entry(&crawled, name) == entry(&packed, name), "{name}");
    }
    // Records that are not records (a torn last line, a line of something
    // else) make no package.
    let records = std::fs::read_to_string(path("m.jsonl")).unwrap();
    for (name, text, why) in [
        (
            "torn.jsonl",
            records.trim_end().to_string(),
            "line 19: it is cut short (no newline ends it)",
        ),
        (
            "other.jsonl",
            format!("{records}[1, 2]\n"),
            "line 20: not a record (no string \"id\")",
        ),
    ] {
        std::fs::write(path(name), text).unwrap();
        let bad = path("bad.wacz");
        let output = run(&[
            "pack",
            "--warc",
            path("m.warc.gz").to_str().unwrap(),
            "--records",
            path(name).to_str().unwrap(),
            "-o",
            bad.to_str().unwrap(),
        ]);
        assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
        assert!(
            stderr(&output).contains(&format!(
                "{} {why}; give the records file the crawl wrote (-o)",
                path(name).display()
            )),
            "{}",
            stderr(&output)
        );
        assert!(!bad.exists());
    }
}

#[test]
fn verify_of_something_that_is_no_manifest_says_what_to_give() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("notes.txt");
    std::fs::write(&file, "hello").unwrap();
    let (code, _, err) = verify(&file);
    assert_eq!(code, Some(1));
    assert_eq!(
        err.lines().next().unwrap_or_default(),
        format!(
            "harava: {}: not a harava manifest (expected value at line 1 column 1); give the file a run wrote with --manifest, or a .wacz",
            file.display()
        )
    );
}

#[test]
fn a_manifest_says_when_inputs_failed() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join("mirror");
    std::fs::create_dir(&inputs).unwrap();
    std::fs::copy(
        samples().join("kuntajohtajakokous/index.html"),
        inputs.join("index.html"),
    )
    .unwrap();
    std::fs::write(inputs.join("broken.html"), b"\x00\x01\x02\xff binary").unwrap();
    let manifest_path = dir.path().join("manifest.json");
    let output = run(&[
        "extract",
        inputs.to_str().unwrap(),
        "-o",
        dir.path().join("out.jsonl").to_str().unwrap(),
        "--manifest",
        manifest_path.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest_path).unwrap()).unwrap();
    assert_eq!(manifest["outcome"], "failed_pages");
    let failures = manifest["failures"].as_array().unwrap();
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(
        failures[0].as_str().unwrap().contains("broken.html"),
        "{failures:?}"
    );
}

#[test]
fn extract_with_manifest_records_profiles_counts_and_the_output_hash() {
    let dir = tempfile::tempdir().unwrap();
    let jsonl = dir.path().join("samples.jsonl");
    let changes = dir.path().join("changes.jsonl");
    let manifest_path = dir.path().join("manifest.json");
    let output = run(&[
        "extract",
        samples().to_str().unwrap(),
        "-o",
        jsonl.to_str().unwrap(),
        "--state",
        dir.path().join("harava.state").to_str().unwrap(),
        "--changes",
        changes.to_str().unwrap(),
        "--manifest",
        manifest_path.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest_path).unwrap()).unwrap();
    assert_eq!(manifest["command"][1], "extract");
    assert_eq!(manifest["outcome"], "ok");
    assert_eq!(manifest["counts"]["records"], 19);
    assert_eq!(manifest["counts"]["unchanged"], 0);
    assert_eq!(manifest["failures"], serde_json::json!([]));
    let bundled: Vec<Value> = ["dynasty", "tweb", "uusimaa2019"]
        .into_iter()
        .map(|name| {
            let source = format!("selectors/{name}.toml");
            let text = std::fs::read(crate::util::root().join(&source)).unwrap();
            serde_json::json!({"name": name, "source": source, "sha256": sha256(&text)})
        })
        .collect();
    assert_eq!(manifest["profiles"], Value::Array(bundled));
    let bytes = std::fs::read(&jsonl).unwrap();
    let change_lines = std::fs::read(&changes).unwrap();
    assert_eq!(
        manifest["files"],
        serde_json::json!([{
            "role": "records",
            "path": "samples.jsonl",
            "sha256": sha256(&bytes),
            "bytes": bytes.len(),
        }, {
            "role": "changes",
            "path": "changes.jsonl",
            "sha256": sha256(&change_lines),
            "bytes": change_lines.len(),
        }])
    );
    let (code, out, _) = verify(&manifest_path);
    assert_eq!(code, Some(0));
    assert_eq!(
        out,
        format!(
            "ok       {}\nok       {}\n",
            jsonl.display(),
            changes.display()
        )
    );
}

/// A crawl with a state and a WACZ, killed before it could pack, leaves its
/// staged WARC and records to the run that continues it: that run's package
/// holds every meeting's pages, though it fetched only what was left.
#[test]
fn a_killed_crawl_with_wacz_and_state_is_packed_whole_by_the_run_that_continues_it() {
    let server = TestServer::samples();
    let (hanging, page) = detail_pages()
        .into_iter()
        .rfind(|(path, _)| path.starts_with("/muistiot/kuntajohtajakokous-"))
        .unwrap();
    server.route(
        &hanging,
        crate::util::Route::Sequence(vec![
            crate::util::Route::Hang,
            crate::util::Route::html(&String::from_utf8(page).unwrap()),
        ]),
    );
    let dir = tempfile::tempdir().unwrap();
    let wacz = dir.path().join("uusimaa.wacz");
    let state = dir.path().join("harava.state");
    let start = server.url("/kuntajohtajakokous/");
    let args = [
        "crawl",
        "--state",
        state.to_str().unwrap(),
        "--wacz",
        wacz.to_str().unwrap(),
        "--rate",
        "0",
        "--retries",
        "0",
        "--timeout",
        "60",
        "-q",
        &start,
    ];
    crate::util::killed_once_delivering(&args, &server, &hanging, &state);
    assert!(!wacz.exists(), "a killed run packs nothing");

    let asked_before = server.paths().len();
    let continued = run(&args);
    assert_eq!(continued.status.code(), Some(0), "{}", stderr(&continued));
    let asked_again = server.paths()[asked_before..].to_vec();
    let details_again = asked_again
        .iter()
        .filter(|path| path.starts_with("/muistiot/"))
        .count();
    assert!(details_again < 9, "fetched again: {asked_again:?}");
    assert_eq!(
        file_names(dir.path()),
        ["harava.state", "harava.state.lock", "uusimaa.wacz"],
        "the staged files are gone once packed"
    );
    let entries = entries(&wacz);
    let warc = dir.path().join("packed.warc.gz");
    std::fs::write(&warc, entry(&entries, "archive/uusimaa.warc.gz")).unwrap();
    let extracted = run(&["extract", "-o", "-", warc.to_str().unwrap()]);
    assert_eq!(extracted.status.code(), Some(0), "{}", stderr(&extracted));
    let records = crate::util::records(&extracted.stdout);
    let with_body = records.iter().filter(|r| r["body"].is_string()).count();
    assert_eq!((records.len(), with_body), (9, 9), "{records:?}");
}

/// A run stopped before it read a page leaves the package there as it was,
/// as it leaves `-o`; and, having staged nothing, it leaves no staging
/// directory behind for a run to continue.
#[test]
fn a_run_that_read_nothing_leaves_the_package_as_it_was() {
    let server = TestServer::samples();
    let dir = tempfile::tempdir().unwrap();
    let wacz = dir.path().join("uusimaa.wacz");
    crawl_samples(&server, &["--wacz", wacz.to_str().unwrap()]);
    let packed = std::fs::read(&wacz).unwrap();

    server.route("/kuntajohtajakokous/", crate::util::Route::Hang);
    let state = dir.path().join("harava.state");
    let warc = dir.path().join("w.warc.gz");
    let out = dir.path().join("out.jsonl");
    let start = server.url("/kuntajohtajakokous/");
    let asked_before = server.paths().len();
    let child = crate::util::harava()
        .args(["crawl", "--rate", "0", "--timeout", "60", "--state"])
        .arg(&state)
        .arg("--warc")
        .arg(&warc)
        .arg("-o")
        .arg(&out)
        .arg("--wacz")
        .arg(&wacz)
        .arg(&start)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !server.paths()[asked_before..].contains(&"/kuntajohtajakokous/".to_string()) {
        assert!(
            Instant::now() < deadline,
            "the start page was not asked for"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let sent = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let stopped = child.wait_with_output().unwrap();
    assert_eq!(
        stopped.status.code(),
        Some(130),
        "{:?} {}",
        stopped.status,
        stderr(&stopped)
    );
    assert!(
        stderr(&stopped).contains(&format!(
            "no page was read; {} was left as it was",
            wacz.display()
        )),
        "{}",
        stderr(&stopped)
    );
    assert_eq!(std::fs::read(&wacz).unwrap(), packed);
    assert_eq!(
        file_names(dir.path()),
        [
            "harava.state",
            "harava.state.lock",
            "out.jsonl",
            "uusimaa.wacz",
            "w.warc.gz"
        ],
        "no staging directory for a run that stages nothing"
    );
}
