#!/usr/bin/env python3
"""Writes tests/data/surt-cases.tsv: URLs and the SURT keys the Python `surt`
package (0.3.1, the one pywb 2.10 uses) computes for them. harava's CDXJ index
must hold the same keys, or pywb finds no capture; src/archive/cdxj.rs's tests
compare every line.

The URLs are the quirky cases written out below and 600 generated ones (a fixed
seed): query arguments in mixed case, without values, empty, escaped, with and
without session ids; paths with ASP.NET session segments, dot segments (also
escaped) and runs of slashes. A `..` above the root is left out: the WHATWG URL
parser harava uses drops it before a key is made (as a browser does before pywb
sees the URL), where surt keeps it.

Usage (surt comes with pywb; scripts/python-tools.sh installs it):
    target/py/pywb/bin/python scripts/surt-cases.py > tests/data/surt-cases.tsv
"""
import random

import surt

FIXED = [
    "http://example.com/a;jsessionid=0123456789abcdef0123456789ABCDEF?x=1",
    "http://example.com/page.php?PHPSESSID=0123456789abcdef0123456789abcdef&id=5",
    "http://example.com/page.php?id=5&sid=0123456789abcdef0123456789abcdef",
    "http://example.com/page.php?id=5&jsessionid=0123456789abcdef0123456789abcdef&b=2",
    "http://example.com/x.asp?ASPSESSIONIDQQGGQGPS=ABCDEFGHIJKLMNOPQRSTUVWX&a=1",
    "http://example.com/x.cfm?CFID=123&CFTOKEN=456&a=1",
    "http://example.com/(S(0123456789abcdefghijklmn))/page.aspx?a=1",
    "http://example.com/(0123456789abcdefghijklmn)/Page.aspx",
    "http://example.com/x?a=1&",
    "http://example.com/x?",
    "http://example.com/x?b&a",
    "http://example.com/x?a=1&B=2",
    "http://example.com/x?a-b=1&a=2",
    "http://example.com/a%2F..%2Fb",
    "http://example.com/a/%2E%2E/b/./c/",
    "http://www.Example.fi/Päivä?q=Ä",
]

PATHS = ["/", "/A/b/", "/x.aspx", "/(S(0123456789abcdefghijklmn))/p.aspx",
         "/a;jsessionid=X", "/Ä/ö/", "/a/../b", "/a//b", "/a%2F..%2Fb", "/a/./b/",
         "/a/%2e%2e/"]
HOSTS = ["example.com", "www.Example.fi", "www2.x.fi", "127.0.0.1:8080"]
NAMES = ["a", "B", "id", "sid", "PHPSESSID", "jsessionid", "cfid", "CFTOKEN", "x-y",
         "Z", "é", "%20", "%26", "", ";"]
VALUES = ["", "1", "0123456789abcdef0123456789abcdef", "ABCDEFGHIJKLMNOPQRSTUVWX",
          "%2F", "Ä", "a b", "x=y"]


def generated(count):
    rng = random.Random(7)
    for _ in range(count):
        arguments = []
        for _ in range(rng.randint(0, 5)):
            name = rng.choice(NAMES)
            arguments.append(name + "=" + rng.choice(VALUES) if rng.random() < 0.8 else name)
        query = "?" + "&".join(arguments) if arguments or rng.random() < 0.3 else ""
        yield "http://" + rng.choice(HOSTS) + rng.choice(PATHS) + query


for url in FIXED + list(generated(600)):
    print(url + "\t" + surt.surt(url))
