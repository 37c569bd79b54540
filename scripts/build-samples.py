#!/usr/bin/env python3
"""Rebuild samples/ (the bundled sample sites) from the seed page texts.

The seeds in tests/data/seeds/ are the visible text of two real Uusimaa 2019 listing
pages. This script wraps that text, verbatim, in the markup of a WordPress theme of
the time (samples/uusimaa2019/) so that harava has a realistic site to extract from,
crawl and serve in `harava demo`, and in the markup of another CMS with other class
names and URLs (samples/uusi-teema/), which no profile knows, for the generic
extractor. The output is committed; the seeds are not needed to run harava.

    python3 scripts/build-samples.py [SEEDS_DIR]
"""
import html
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "tests" / "data" / "seeds"
OUT = ROOT / "samples" / "uusimaa2019"
OUT2 = ROOT / "samples" / "uusi-teema"
ORIGIN = "https://www.uusimaa2019.fi"
PER_PAGE = 4
MORE = "Lue lisää | 0 Kommenttia | Kommentoi"

LISTINGS = [
    {
        "seed": "000_98898b9ca9e9c7a7.txt",
        "slug": "kuntajohtajakokous",
        "organ": "Kuntajohtajakokous",
        "image": "/wp-content/uploads/2017/03/Lehtiotaulu-matala.jpg",
    },
    {
        "seed": "003_a2652a4d72fdb76d.txt",
        "slug": "strateginen-johtoryhma",
        "organ": "Strateginen johtoryhmä",
        "image": "/wp-content/uploads/2018/05/uusimaa2019-kuva-tuula-palaste.jpg",
    },
]

ENTRY_START = re.compile(r"(\d{1,2}\.\d{1,2}\.\d{4})((?:Kuntajohtajakokous|Strategisen johtoryhmän kokous) .*)$")


def esc(text):
    return html.escape(text, quote=False)


def slugify(text):
    table = str.maketrans({"ä": "a", "ö": "o", "å": "a", ".": "-", " ": "-"})
    return re.sub(r"-+", "-", text.lower().translate(table)).strip("-")


def parse_seed(path):
    """Split a seed text into its page head (heading, caption, intro) and entries."""
    lines = path.read_text(encoding="utf-8").split("\n")
    head, entries, current = [], [], None
    for line in lines:
        match = ENTRY_START.search(line)
        if match:
            prefix = line[: match.start()]
            if prefix:
                head.append(prefix)
            current = {"posted": match.group(1), "title": match.group(2), "lines": []}
            entries.append(current)
        elif current is None:
            head.append(line)
        else:
            current["lines"].append(line)
    for entry in entries:
        body = entry.pop("lines")
        while body and body[-1].strip() in ("", "Vanhemmat"):
            body.pop()
        while body and body[0].strip() == "":
            body.pop(0)
        assert body[0] == "Muistiot", body[:2]
        entry["category"] = body[0]
        rest = body[1:]
        # A blank line between blocks is a paragraph break; each further blank line is
        # an empty paragraph (&nbsp;) that the real CMS left behind.
        blocks, blank_run = [], 0
        for line in rest:
            if line.strip() == "":
                blank_run += 1
                continue
            if blocks and blank_run > 1:
                blocks.append("")
            blocks.append(line)
            blank_run = 0
        while blocks and blocks[0] == "":
            blocks.pop(0)
        doc = blocks.pop(0)
        assert doc.startswith("> "), doc
        entry["document"] = doc[2:]
        last = blocks[-1]
        if last == MORE:
            blocks.pop()
            entry["more_inline"] = False
        else:
            assert last.endswith(MORE), last
            blocks[-1] = last[: -len(MORE)]
            entry["more_inline"] = True
        while blocks and blocks[-1] == "":
            blocks.pop()
        entry["paragraphs"] = blocks
        entry["slug"] = slugify(entry["title"])
    head = [line for line in head if line.strip()]
    return head, entries


def document_url(entry):
    day, month, year = entry["posted"].split(".")
    name = entry["title"].replace(" ", "-").replace("ä", "a").replace("ö", "o")
    return f"/wp-content/uploads/{year}/{int(month):02d}/{name}.pdf"


def page_path(slug, number):
    return f"/{slug}/" if number == 1 else f"/{slug}/page/{number}/"


def layout(title, canonical, body_class, current, main):
    menu = [
        ("/", "Etusivu"),
        ("/kuntajohtajakokous/", "Kuntajohtajakokous"),
        ("/strateginen-johtoryhma/", "Strateginen johtoryhmä"),
        ("/ajankohtaista/", "Ajankohtaista"),
    ]
    items = "\n".join(
        f'        <li class="menu-item{" current-menu-item" if label == current else ""}"><a href="{href}">{esc(label)}</a></li>'
        for href, label in menu
    )
    return f"""<!DOCTYPE html>
<html lang="fi">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)} &#8211; Uusimaa 2019</title>
<link rel="canonical" href="{ORIGIN}{canonical}">
<link rel="profile" href="http://gmpg.org/xfn/11">
<link rel="alternate" type="application/rss+xml" title="Uusimaa 2019 &raquo; syöte" href="/feed/">
<link rel="stylesheet" id="uusimaa2019-style-css" href="/wp-content/themes/uusimaa2019/style.css?ver=4.7.5" type="text/css" media="all">
<script type="text/javascript" src="/wp-includes/js/jquery/jquery.js?ver=1.12.4"></script>
<meta name="generator" content="WordPress 4.7.5">
</head>
<body class="{body_class}">
<div id="page" class="site">
  <a class="skip-link screen-reader-text" href="#content">Siirry sisältöön</a>
  <header id="masthead" class="site-header" role="banner">
    <div class="site-branding">
      <a href="/" class="custom-logo-link" rel="home"><img src="/wp-content/uploads/2017/01/uusimaa2019-logo.png" class="custom-logo" alt="Uusimaa 2019" width="240" height="60"></a>
      <p class="site-description">Uusimaa 2019 -hanke valmistelee Uudenmaan maakuntaa</p>
    </div>
    <nav id="site-navigation" class="main-navigation" role="navigation">
      <ul id="primary-menu" class="menu">
{items}
      </ul>
    </nav>
    <div class="language-switcher"><a href="/sv/" hreflang="sv">På svenska</a> | <a href="/en/" hreflang="en">In English</a></div>
  </header>
  <div id="content" class="site-content">
    <div id="primary" class="content-area">
      <main id="main" class="site-main" role="main">
{main}
      </main>
    </div>
    <aside id="secondary" class="widget-area" role="complementary">
      <section class="widget widget_search"><form role="search" method="get" class="search-form" action="/"><label><span class="screen-reader-text">Haku:</span><input type="search" class="search-field" placeholder="Haku &hellip;" value="" name="s"></label><input type="submit" class="search-submit" value="Hae"></form></section>
      <section class="widget widget_text"><h2 class="widget-title">Seuraa meitä</h2><div class="textwidget"><p><a href="https://twitter.com/uusimaa2019">Twitter</a> | <a href="https://www.facebook.com/uusimaa2019/">Facebook</a></p></div></section>
      <section class="widget widget_links"><h2 class="widget-title">Linkit</h2><ul><li><a href="https://www.uudenmaanliitto.fi/">Uudenmaan liitto</a></li><li><a href="https://alueuudistus.fi/">Alueuudistus.fi</a></li></ul></section>
    </aside>
  </div>
  <footer id="colophon" class="site-footer" role="contentinfo">
    <div class="site-info">Uusimaa 2019 -hanke | Esterinportti 2 B, 00240 Helsinki | <a href="/tietosuojaseloste/">Tietosuojaseloste</a> | <a href="/wp-login.php">Kirjaudu</a></div>
  </footer>
</div>
<script type="text/javascript" src="/wp-content/themes/uusimaa2019/js/navigation.js?ver=20151215"></script>
</body>
</html>
"""


def paragraphs_html(entry, indent, more_href=None):
    out = []
    for i, text in enumerate(entry["paragraphs"]):
        if text == "":
            out.append(f"{indent}<p>&nbsp;</p>")
            continue
        last = i == len(entry["paragraphs"]) - 1
        inline = ""
        if last and more_href and entry["more_inline"]:
            # The theme put the "read more" link inside the excerpt's last paragraph.
            inline = f'<a href="{more_href}" class="more-link">Lue lisää</a>'
        out.append(f"{indent}<p>{esc(text)}{inline}</p>")
    return "\n".join(out)


def entry_footer(entry, href):
    more = "" if entry["more_inline"] else f'<a href="{href}" class="more-link">Lue lisää</a> | '
    return (
        f'<footer class="entry-footer">{more}<span class="comments-link">'
        f'<a href="{href}#comments">0 Kommenttia</a></span> | '
        f'<a href="{href}#respond" class="comment-reply">Kommentoi</a></footer>'
    )


def listing_article(entry, post_id):
    href = f"/muistiot/{entry['slug']}/"
    return f"""        <article id="post-{post_id}" class="post-{post_id} post type-post status-publish format-standard hentry category-muistiot">
          <header class="entry-header">
            <div class="entry-meta"><span class="posted-on">{entry['posted']}</span></div>
            <h2 class="entry-title"><a href="{href}" rel="bookmark">{esc(entry['title'])}</a></h2>
          </header>
          <div class="entry-categories"><span class="cat-links"><a href="/category/muistiot/" rel="category tag">{entry['category']}</a></span></div>
          <div class="entry-content">
            <p class="entry-documents">&gt; <a href="{document_url(entry)}">{esc(entry['document'])}</a></p>
{paragraphs_html(entry, "            ", href)}
          </div>
          {entry_footer(entry, href)}
        </article>"""


def listing_main(listing, head, entries, number, pages, first_id):
    heading, caption, *intro = head
    parts = [f"""        <nav class="breadcrumbs" aria-label="Murupolku"><a href="/">Etusivu</a> &rsaquo; <span class="breadcrumb-current">{esc(listing['organ'])}</span></nav>
        <header class="page-header">
          <h1 class="page-title">{esc(heading)}</h1>
        </header>"""]
    if number == 1:
        section = None
        if intro and not intro[-1].endswith(":"):
            section = intro.pop()
        intro_html = "\n".join(f"            <p>{esc(p.strip())}</p>" for p in intro)
        parts.append(f"""        <div class="page-intro">
          <figure class="wp-caption alignright"><img src="{listing['image']}" alt="{esc(caption)}" width="300" height="200"><figcaption class="wp-caption-text">{esc(caption)}</figcaption></figure>
{intro_html}
        </div>""")
        if section:
            parts.append(f'        <h2 class="section-title">{esc(section)}</h2>')
    for offset, entry in enumerate(entries):
        parts.append(listing_article(entry, first_id + offset))
    links = []
    if number > 1:
        links.append(f'<div class="nav-next"><a href="{page_path(listing["slug"], number - 1)}">Uudemmat</a></div>')
    if number < pages:
        links.append(f'<div class="nav-previous"><a href="{page_path(listing["slug"], number + 1)}">Vanhemmat</a></div>')
    if links:
        parts.append(f"""        <nav class="navigation posts-navigation" role="navigation">
          <h2 class="screen-reader-text">Artikkelien selaus</h2>
          <div class="nav-links">{"".join(links)}</div>
        </nav>""")
    return "\n".join(parts)


def detail_main(listing, entry, post_id):
    href = f"/muistiot/{entry['slug']}/"
    return f"""        <nav class="breadcrumbs" aria-label="Murupolku"><a href="/">Etusivu</a> &rsaquo; <a href="/{listing['slug']}/">{esc(listing['organ'])}</a> &rsaquo; <span class="breadcrumb-current">{esc(entry['title'])}</span></nav>
        <article id="post-{post_id}" class="post-{post_id} post type-post status-publish format-standard hentry category-muistiot">
          <header class="entry-header">
            <div class="entry-meta"><span class="posted-on">{entry['posted']}</span> <span class="byline">Uusimaa 2019</span></div>
            <h1 class="entry-title">{esc(entry['title'])}</h1>
          </header>
          <div class="entry-categories"><span class="cat-links"><a href="/category/muistiot/" rel="category tag">{entry['category']}</a></span></div>
          <div class="entry-content">
{paragraphs_html(entry, "            ")}
          </div>
          <section class="entry-attachments">
            <h2>Kokousaineistot</h2>
            <ul><li><a href="{document_url(entry)}">{esc(entry['document'])}</a></li></ul>
          </section>
          <footer class="entry-footer"><span class="cat-links">Julkaistu kategoriassa <a href="/category/muistiot/" rel="category tag">{entry['category']}</a></span></footer>
        </article>
        <nav class="navigation post-navigation" role="navigation"><div class="nav-links"><a href="/{listing['slug']}/">&larr; Takaisin: {esc(listing['organ'])}</a></div></nav>
        <div id="comments" class="comments-area">
          <div id="respond" class="comment-respond">
            <h3 id="reply-title" class="comment-reply-title">Kommentoi</h3>
            <form action="/wp-comments-post.php" method="post" id="commentform" class="comment-form">
              <p class="comment-notes">Sähköpostiosoitettasi ei julkaista.</p>
              <p class="comment-form-comment"><label for="comment">Kommentti</label><textarea id="comment" name="comment" cols="45" rows="8"></textarea></p>
              <p class="form-submit"><input name="submit" type="submit" id="submit" class="submit" value="Lähetä kommentti"></p>
            </form>
          </div>
        </div>"""


# A second theme: the same meetings as another CMS (a Drupal-style site) renders
# them, with other markup, other class names and other URLs, and no profile of
# its own. The generic extractor must read it as the uusimaa2019 profile reads
# the first.


def theme2_page(title, main):
    return f"""<!DOCTYPE html>
<html lang="fi" dir="ltr">
<head>
<meta charset="utf-8">
<meta name="Generator" content="Drupal 8 (https://www.drupal.org)">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{esc(title)} | Uudenmaan maakuntauudistus</title>
<link rel="stylesheet" media="all" href="/themes/custom/maakunta/css/maakunta.css?q1w2e3">
</head>
<body class="path-node page-node-type-kokous">
<a href="#sisalto" class="visually-hidden focusable">Siirry pääsisältöön</a>
<div class="dialog-off-canvas-main-canvas">
  <header class="region-header" role="banner">
    <a href="/" class="brand" title="Etusivu">Uudenmaan maakuntauudistus</a>
    <nav role="navigation" aria-labelledby="paavalikko" class="menu--main">
      <h2 id="paavalikko" class="visually-hidden">Päävalikko</h2>
      <ul class="menu"><li class="menu-item"><a href="/toimielimet/kuntajohtajakokous/">Kuntajohtajakokous</a></li><li class="menu-item"><a href="/toimielimet/strateginen-johtoryhma/">Strateginen johtoryhmä</a></li><li class="menu-item"><a href="/uutiset/">Uutiset</a></li></ul>
    </nav>
  </header>
  <main role="main" id="sisalto" class="layout-main">
{main}
  </main>
  <aside class="layout-sidebar" role="complementary">
    <div class="block-views-block-tapahtumat"><h2>Tulevat tapahtumat</h2><div class="views-element-container"><p>Ei tulevia tapahtumia.</p></div></div>
    <div class="block-social"><a href="https://twitter.com/uusimaa2019">Twitter</a> <a href="https://www.facebook.com/uusimaa2019/">Facebook</a></div>
  </aside>
  <footer role="contentinfo" class="region-footer"><div class="footer-contact">Uudenmaan maakuntauudistus · Esterinportti 2 B · 00240 Helsinki</div></footer>
</div>
</body>
</html>
"""


def theme2_listing_path(slug, number):
    return f"/toimielimet/{slug}/" if number == 1 else f"/toimielimet/{slug}/sivu-{number}/"


def theme2_document_url(entry):
    day, month, year = entry["posted"].split(".")
    name = entry["title"].replace(" ", "_").replace("ä", "a").replace("ö", "o")
    return f"/sites/default/files/{year}-{int(month):02d}/{name}.pdf"


def theme2_paragraphs(entry, indent):
    return "\n".join(
        f"{indent}<p>{esc(text) if text else '&nbsp;'}</p>" for text in entry["paragraphs"]
    )


def theme2_row(entry):
    day, month, year = entry["posted"].split(".")
    href = f"/kokoukset/{entry['slug']}/"
    return f"""      <div class="views-row">
        <div class="node node--type-kokous node--view-mode-teaser">
          <h3 class="node__title"><a href="{href}" hreflang="fi">{esc(entry['title'])}</a></h3>
          <div class="node__meta"><time datetime="{year}-{int(month):02d}-{int(day):02d}T12:00:00+03:00">{entry['posted']}</time> · <a href="/aihe/muistiot/" hreflang="fi">{entry['category']}</a></div>
          <div class="field field--name-body">
{theme2_paragraphs(entry, "            ")}
          </div>
          <div class="field field--name-liitteet"><span class="file file--application-pdf"><a href="{theme2_document_url(entry)}" type="application/pdf">{esc(entry['document'])}</a></span></div>
          <ul class="links inline"><li><a href="{href}" rel="tag" hreflang="fi">Lue lisää</a></li><li><span class="comment-count">0 kommenttia</span></li></ul>
        </div>
      </div>"""


def theme2_listing(listing, head, entries, number, pages):
    rows = "\n".join(theme2_row(entry) for entry in entries)
    pager = []
    if number > 1:
        pager.append(f'<li class="pager__item pager__item--previous"><a href="{theme2_listing_path(listing["slug"], number - 1)}" rel="prev">‹ Uudemmat</a></li>')
    if number < pages:
        pager.append(f'<li class="pager__item pager__item--next"><a href="{theme2_listing_path(listing["slug"], number + 1)}" rel="next">Seuraava sivu ›</a></li>')
    return f"""    <ol class="breadcrumb"><li><a href="/">Etusivu</a> / </li><li><a href="/toimielimet/">Toimielimet</a> / </li><li>{esc(listing['organ'])}</li></ol>
    <h1 class="page-title">{esc(head[0])}</h1>
    <div class="view view-kokoukset">
{rows}
    </div>
    <nav class="pager" role="navigation" aria-labelledby="sivutus"><h4 id="sivutus" class="visually-hidden">Sivutus</h4><ul class="pager__items">{"".join(pager)}</ul></nav>"""


def theme2_detail(listing, entry):
    day, month, year = entry["posted"].split(".")
    return f"""    <ol class="breadcrumb"><li><a href="/">Etusivu</a> / </li><li><a href="/toimielimet/{listing['slug']}/">{esc(listing['organ'])}</a> / </li><li>{esc(entry['title'])}</li></ol>
    <article role="article" class="node node--type-kokous node--view-mode-full">
      <h1 class="page-title"><span class="field--name-title">{esc(entry['title'])}</span></h1>
      <div class="node__submitted">Julkaistu <time datetime="{year}-{int(month):02d}-{int(day):02d}T12:00:00+03:00">{entry['posted']}</time></div>
      <div class="node__content">
        <div class="field field--name-body">
{theme2_paragraphs(entry, "          ")}
        </div>
        <div class="field field--name-liitteet"><h2 class="field__label">Liitteet</h2><div class="field__items"><span class="file file--application-pdf"><a href="{theme2_document_url(entry)}" type="application/pdf">{esc(entry['document'])}</a></span></div></div>
      </div>
    </article>"""


def write_theme2(listing, head, entries):
    pages = (len(entries) + PER_PAGE - 1) // PER_PAGE
    for number in range(1, pages + 1):
        chunk = entries[(number - 1) * PER_PAGE : number * PER_PAGE]
        path = theme2_listing_path(listing["slug"], number)
        write(path, theme2_page(head[0], theme2_listing(listing, head, chunk, number, pages)), OUT2)
        for entry in chunk:
            write(f"/kokoukset/{entry['slug']}/", theme2_page(entry["title"], theme2_detail(listing, entry)), OUT2)


def write(path, text, out=OUT):
    target = out / path.lstrip("/") / "index.html" if path.endswith("/") else out / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


def main():
    post_id = 100
    index_links = []
    for listing in LISTINGS:
        head, entries = parse_seed(SEEDS / listing["seed"])
        pages = (len(entries) + PER_PAGE - 1) // PER_PAGE
        for number in range(1, pages + 1):
            chunk = entries[(number - 1) * PER_PAGE : number * PER_PAGE]
            main_html = listing_main(listing, head, chunk, number, pages, post_id)
            path = page_path(listing["slug"], number)
            title = head[0] if number == 1 else f"{head[0]} &#8211; Sivu {number}"
            body_class = "page-template-template-blog page paged" if number > 1 else "page-template-template-blog page"
            write(path, layout(title, path, body_class, listing["organ"], main_html))
            for entry in chunk:
                write(f"/muistiot/{entry['slug']}/", layout(entry["title"], f"/muistiot/{entry['slug']}/", "single single-post", listing["organ"], detail_main(listing, entry, post_id)))
                post_id += 1
        write_theme2(listing, head, entries)
        index_links.append(f'          <li><a href="/{listing["slug"]}/">{esc(head[0])}</a> ({len(entries)} kokousta)</li>')
    index_main = f"""        <header class="page-header"><h1 class="page-title">Uusimaa 2019 -hanke</h1></header>
        <div class="entry-content">
          <p>Uusimaa 2019 -hanke valmistelee Uudenmaan maakunnan ja sote-uudistuksen toimeenpanoa. Hankkeen toimielinten kokousaineistot:</p>
          <ul class="meeting-bodies">
{chr(10).join(index_links)}
          </ul>
        </div>"""
    write("/", layout("Etusivu", "/", "home page", "Etusivu", index_main))
    (OUT / "robots.txt").write_text(
        "User-agent: *\nDisallow: /wp-admin/\nDisallow: /wp-login.php\nDisallow: /?s=\nAllow: /wp-admin/admin-ajax.php\n\nSitemap: https://www.uusimaa2019.fi/sitemap.xml\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
