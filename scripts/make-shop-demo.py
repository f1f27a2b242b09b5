#!/usr/bin/env python3
"""Writes the generated shop of examples/shop.yaml: users.csv, items.csv and events.csv.

A small e-commerce log with planted structure, for trying the `files` data source on data shaped
like a team's own exports (standard library only; the same files on every run):
- 500 users with a country, a plan (free, plus, pro), an age and interests ("books|games"); each
  has a favourite category, named in their interests four times in five;
- 240 items with a brand (18 of the 20 brands keep to one category, 85 % of the items), one of
  six categories, a price and tags;
- about 20 views per user, 60 % in the favourite category, each with `clicked` (0/1),
  `purchased` (0/1, only after a click) and `stars` (1-5, only on purchases: empty otherwise),
  and an ISO-8601 time. Clicks and purchases are likelier in the favourite category and for
  cheaper items (pro users mind prices less); stars are higher in the favourite category.

Usage: scripts/make-shop-demo.py [DIR]   (default distribution/src/main/dist/examples/shop)
"""
import csv
import datetime
import math
import os
import random
import sys

CATEGORIES = ["books", "games", "garden", "kitchen", "music", "sports"]
COUNTRIES = ["DE", "ES", "FR", "IT", "NL"]
PLANS = ["free", "plus", "pro"]


def sigmoid(x):
    return 1 / (1 + math.exp(-x))


def main(out):
    rnd = random.Random(20261201)
    os.makedirs(out, exist_ok=True)
    items = []
    for i in range(240):
        category = CATEGORIES[i % len(CATEGORIES)]
        price = round(math.exp(rnd.gauss(3.0, 0.6)), 2)
        tags = sorted(rnd.sample(["bestseller", "eco", "gift", "new", "sale"], rnd.randint(0, 2)))
        # brands 0-17 keep to one category each (brand k sells category k % 6); brands 18 and 19 sell anything
        brand = rnd.choice([b for b in range(18) if b % len(CATEGORIES) == i % len(CATEGORIES)]) if rnd.random() < 0.85 \
            else rnd.choice([18, 19])
        items.append({"sku": f"sku-{i:04d}", "brand": f"brand-{brand:02d}", "category": category,
                      "price": price, "tags": "|".join(tags)})
    mean_log_price = sum(math.log(it["price"]) for it in items) / len(items)
    users = []
    for u in range(500):
        favourite = rnd.choice(CATEGORIES)
        interests = {favourite} if rnd.random() < 0.8 else set()
        interests |= set(rnd.sample(CATEGORIES, rnd.randint(0, 2)))
        users.append({"user": f"user-{u:04d}", "country": rnd.choice(COUNTRIES), "plan": rnd.choice(PLANS),
                      "age": rnd.randint(18, 70), "interests": "|".join(sorted(interests)), "favourite": favourite})
    by_category = {c: [it for it in items if it["category"] == c] for c in CATEGORIES}
    start = datetime.datetime(2026, 1, 1)
    events = []
    for user in users:
        sensitivity = {"free": 1.0, "plus": 0.6, "pro": 0.2}[user["plan"]]
        views = rnd.sample(by_category[user["favourite"]], 12) + rnd.sample(items, 8)
        for item in {it["sku"]: it for it in views}.values():
            fav = 1.0 if item["category"] == user["favourite"] else 0.0
            price = math.log(item["price"]) - mean_log_price
            clicked = rnd.random() < sigmoid(-1.0 + 2.0 * fav - 1.5 * sensitivity * price)
            purchased = clicked and rnd.random() < sigmoid(-0.6 + 1.5 * fav - 2.0 * sensitivity * price)
            stars = ""
            if purchased:
                stars = str(max(1, min(5, round(3.2 + 1.0 * fav - 0.4 * price + rnd.gauss(0, 0.7)))))
            when = start + datetime.timedelta(seconds=rnd.randrange(90 * 86400))
            events.append({"user": user["user"], "sku": item["sku"], "time": when.isoformat(), "clicked": int(clicked),
                           "purchased": int(purchased), "stars": stars})
    events.sort(key=lambda e: (e["time"], e["user"], e["sku"]))
    write(os.path.join(out, "users.csv"), ["user", "country", "plan", "age", "interests"], users)
    write(os.path.join(out, "items.csv"), ["sku", "brand", "category", "price", "tags"], items)
    write(os.path.join(out, "events.csv"), ["user", "sku", "time", "clicked", "purchased", "stars"], events)
    print(f"{len(users)} users, {len(items)} items, {len(events)} events in {out}")


def write(path, columns, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join("distribution", "src", "main", "dist", "examples", "shop"))
