#!/usr/bin/env python3
"""The Scrapy side of scripts/bench-crawl.sh: harava's crawl of a Uusimaa 2019 listing,
written as an idiomatic Scrapy spider, to compare the two on the same site.

    python bench_scrapy_spider.py START_URL OUTPUT.jsonl

It uses the selectors of selectors/uusimaa2019.toml: it follows the listing's
"Vanhemmat" (older) links and each entry's detail link, and yields one item per entry
with the fields harava fills from the same elements. The settings make the crawl
comparable with `harava crawl --rate 0 --concurrency 16`: robots.txt obeyed, 16
requests in flight, no delay, no throttling, no cache.
"""
import re
import sys

import scrapy
from scrapy.crawler import CrawlerProcess

NEXT_TEXTS = {"Vanhemmat", "Äldre", "Older"}
SPACE = re.compile(r"\s+")


def text_of(selection):
    """The element's text with whitespace collapsed, as harava normalizes it."""
    return SPACE.sub(" ", " ".join(selection.css("::text").getall())).strip()


def paragraphs(selection):
    texts = (text_of(p) for p in selection)
    return [t for t in texts if t]


def documents(response, anchors):
    found = {}
    for anchor in anchors:
        url = response.urljoin(anchor.attrib["href"])
        found.setdefault(url, {"title": text_of(anchor), "url": url})
    return list(found.values())


class ListingSpider(scrapy.Spider):
    name = "uusimaa2019"

    def __init__(self, start_url, **kwargs):
        super().__init__(**kwargs)
        self.start_urls = [start_url]

    def parse(self, response):
        organ = text_of(response.css(".breadcrumbs .breadcrumb-current")[:1]) or None
        for article in response.css("main article.type-post"):
            content = article.css(".entry-content")
            item = {
                "organ": organ,
                "title": text_of(article.css(".entry-title")) or None,
                "published": text_of(article.css(".entry-meta .posted-on")) or None,
                "category": text_of(article.css(".cat-links a[rel~='category']")[:1]) or None,
                # The summary without the document links (and "Lue lisää" when a
                # theme puts it inside the content), as summary_exclude says.
                "summary": paragraphs(content.css("p:not(.entry-documents):not(.more-link)")),
                "documents": documents(response, article.css(".entry-documents a[href]")),
                "comments": text_of(article.css(".comments-link")) or None,
                "detail_url": None,
                "body": None,
            }
            detail = article.css(".entry-title a[href]::attr(href)").get()
            if detail is None:
                yield item
                continue
            item["detail_url"] = response.urljoin(detail)
            yield response.follow(detail, callback=self.parse_detail, cb_kwargs={"item": item})
        for anchor in response.css(".posts-navigation a[href]"):
            if text_of(anchor) in NEXT_TEXTS:
                yield response.follow(anchor, callback=self.parse)

    def parse_detail(self, response, item):
        if response.css("body.single-post"):
            body = paragraphs(response.css("main article .entry-content p"))
            item["body"] = "\n\n".join(body) or None
            item["documents"] += [
                d
                for d in documents(response, response.css(".entry-attachments a[href]"))
                if d not in item["documents"]
            ]
        yield item


def main():
    if len(sys.argv) != 3:
        sys.exit(f"usage: {sys.argv[0]} START_URL OUTPUT.jsonl")
    start_url, output = sys.argv[1], sys.argv[2]
    process = CrawlerProcess(
        settings={
            "ROBOTSTXT_OBEY": True,
            "CONCURRENT_REQUESTS": 16,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
            "DOWNLOAD_DELAY": 0,
            "AUTOTHROTTLE_ENABLED": False,
            "HTTPCACHE_ENABLED": False,
            "LOG_LEVEL": "INFO",
            "FEEDS": {output: {"format": "jsonlines", "encoding": "utf8", "overwrite": True}},
        }
    )
    process.crawl(ListingSpider, start_url=start_url)
    process.start()


if __name__ == "__main__":
    main()
