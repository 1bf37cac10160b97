"""Convert the UKP "sampled-threads-ah-delta-context3" CMV chains into cruxmap JSON Lines.

Usage: python convert.py SAMPLED_DIR OPS_TSV OUT_DIR LINK_ID [LINK_ID ...]

SAMPLED_DIR is the folder unpacked from experiments/sampled-threads-ah-delta-context3.tar.bz2,
OPS_TSV is data-analysis/experimental-data/op-stupidity-controversy-prediction/controversy-unlabeled.tsv
(submission id -> opening-post title). Every comment of the sample that belongs to LINK_ID is
written once, oldest first; its text, author and parent are kept as the source has them. A
comment whose parent is not in the sample answers the post (the sample dropped the parent);
the original parent id stays in ``source_parent_id`` (an extra field the loader ignores).
"""

import csv
import glob
import json
import os
import sys


def main(sampled, ops_tsv, out_dir, link_ids):
    titles = {}
    with open(ops_tsv, encoding="utf-8") as fh:
        for row in csv.reader(fh, delimiter="\t"):
            if len(row) >= 2:
                titles[row[0]] = row[1]
    comments = {}
    for path in glob.glob(os.path.join(sampled, "*.json")):
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    c = json.loads(line)
                    comments.setdefault(c["name"], c)
    for link in link_ids:
        mine = sorted((c for c in comments.values() if c["link_id"] == link),
                      key=lambda c: (float(c["created_utc"]), c["name"]))
        ids = {c["name"] for c in mine}
        sub = link.split("_", 1)[1]
        base = f"https://www.reddit.com/r/changemyview/comments/{sub}/"
        rows = [{"id": link, "title": titles.get(link, f"r/changemyview {sub}"), "text": "",
                 "url": base, "site": "reddit"}]
        for c in mine:
            parent = c["parent_id"] if c["parent_id"] in ids else link
            rows.append({"id": c["name"], "parent_id": parent, "post_id": link,
                         "author": c["author_name"], "text": c["body"],
                         "posted_at": int(float(c["created_utc"])),
                         "score": int(float(c["ups"])), "site": "reddit",
                         "url": f"{base}_/{c['id']}/", "source_parent_id": c["parent_id"]})
        with open(os.path.join(out_dir, f"cmv_{sub}.jsonl"), "w", encoding="utf-8") as out:
            for r in rows:
                out.write(json.dumps(r, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:])
