#!/usr/bin/env python3
"""A corpus for the benches: FILES public text records of PER paragraphs, each paragraph two
sentences of the UDHR samples (samples/udhr) in its record's language (four languages in turn),
97 witnesses, each file titled as a sample (not testimony), and the manifest `attest import`
reads.  Usage: udhr_corpus.py OUT FILES PER"""
import os
import random
import sys

out, files, per = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
os.makedirs(out, exist_ok=True)
rng = random.Random(7)
langs = {'en': 'eng', 'fr': 'fra', 'he': 'heb', 'ar': 'arb'}
sentences = {}
for code, name in langs.items():
    text = open(f'samples/udhr/{name}.txt', encoding='utf-8').read()
    sentences[code] = [l.strip() for l in text.splitlines() if len(l.strip()) > 40]
rows = ['id,file,witness,collection,language,consent,title']
for i in range(files):
    code = list(langs)[i % 4]
    paras = [' '.join(rng.sample(sentences[code], 2)) for _ in range(per)]
    name = f'sample-{i:05d}.txt'
    with open(os.path.join(out, name), 'w', encoding='utf-8') as f:
        f.write('\n\n'.join(paras) + '\n')
    rows.append(f'b{i},{name},w-{i % 97},bench-{code},{code},public,'
                f'Sample {i} (UDHR sentences; not testimony)')
open(os.path.join(out, 'manifest.csv'), 'w').write('\n'.join(rows) + '\n')
