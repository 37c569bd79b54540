//! Fuzz the WARC reader: any bytes, plain or gzipped, give records or an
//! error, never a panic or a read past what the input holds.

#![no_main]

use libfuzzer_sys::fuzz_target;

use harava::archive::warc::WarcReader;

fuzz_target!(|data: &[u8]| {
    let Ok(reader) = WarcReader::new(std::io::Cursor::new(data)) else {
        return;
    };
    for record in reader.take(10_000) {
        match record {
            // Inflation is capped, so no record can hold more than the cap.
            Ok(record) => assert!(record.payload.len() <= 64 << 20),
            Err(_) => break,
        }
    }
});
