"""Write SIDER-shaped RDF (drugs, side effects, skewed degrees) as N-Triples, for benchmarks.

SIDER 4.1 pairs 1,430 drugs with about 5,800 MedDRA preferred terms in about 140,000 drug-effect
pairs: a few drugs carry hundreds of effects, most a few dozen, and a few effects (nausea,
headache, rash) sit on most labels. The synthetic graph keeps those proportions at any size
(about 100 pairs per drug and 4 effects per drug, Zipf-like weights on both sides) and the
curated graph's vocabulary:

* ``drug a mskg:Drug ; rdfs:label "..." ; skos:exactMatch <pubchem CID>``
* ``effect a mskg:AdverseEffect ; rdfs:label "..." ; skos:exactMatch <umls CUI>``
* ``drug mskg:hasAdverseEffect effect`` for every pair, and for 30% of the pairs an
  ``mskg:AdverseEffectAssociation`` reifying it (``rdf:subject``/``predicate``/``object``) with
  ``mskg:frequencyLowerBound`` -- about 2.8 triples per pair in all.

``--from-sider DIR`` converts the real SIDER 4.1 files (``meddra_all_se.tsv.gz``, and
``meddra_freq.tsv.gz`` for frequencies) to the same shape instead. Output goes where you say,
never into the repository (the SIDER licence forbids copies there; see its ORIGIN.md).

    python bench/generate_sider_like.py --triples 100000 -o /tmp/sider-1e5.nt
    python bench/generate_sider_like.py --from-sider ../shared/data/sider -o /tmp/sider-real.nt
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import random
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

MSKG = "https://w3id.org/mskg/ontology/"
MSKR = "https://w3id.org/mskg/resource/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
EXACT = "<http://www.w3.org/2004/02/skos/core#exactMatch>"
DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"
PUBCHEM = "http://rdf.ncbi.nlm.nih.gov/pubchem/compound/CID"
UMLS = "https://bioregistry.io/umls:"

TYPE = f"<{RDF}type>"
HAS_AE = f"<{MSKG}hasAdverseEffect>"
ASSOCIATION = f"<{MSKG}AdverseEffectAssociation>"
LOWER = f"<{MSKG}frequencyLowerBound>"

#: Triples per pair (1 edge + 30% x 6 association triples) and per entity (3).
TRIPLES_PER_PAIR = 2.8
PAIRS_PER_DRUG = 100
EFFECTS_PER_DRUG = 4
REIFIED_SHARE = 0.3
FREQUENCIES = ("0.001", "0.01", "0.02", "0.05", "0.1", "0.25", "0.5")


def _literal(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"@en'


def _drug_lines(index: int, cid: int, name: str) -> Iterator[str]:
    drug = f"<{MSKR}drug-{index}>"
    yield f"{drug} {TYPE} <{MSKG}Drug> .\n"
    yield f"{drug} {RDFS_LABEL} {_literal(name)} .\n"
    yield f"{drug} {EXACT} <{PUBCHEM}{cid}> .\n"


def _effect_lines(cui: str, name: str) -> Iterator[str]:
    effect = f"<{MSKR}effect-{cui}>"
    yield f"{effect} {TYPE} <{MSKG}AdverseEffect> .\n"
    yield f"{effect} {RDFS_LABEL} {_literal(name)} .\n"
    yield f"{effect} {EXACT} <{UMLS}{cui}> .\n"


def _pair_lines(drug: int, cui: str, frequency: str | None) -> Iterator[str]:
    subject, effect = f"<{MSKR}drug-{drug}>", f"<{MSKR}effect-{cui}>"
    yield f"{subject} {HAS_AE} {effect} .\n"
    if frequency is not None:
        node = f"<{MSKR}ae-{drug}-{cui}>"
        yield f"{node} {TYPE} {ASSOCIATION} .\n"
        yield f"{node} <{RDF}subject> {subject} .\n"
        yield f"{node} <{RDF}predicate> {HAS_AE} .\n"
        yield f"{node} <{RDF}object> {effect} .\n"
        yield f'{node} {LOWER} "{frequency}"^^<{DECIMAL}> .\n'


def synthetic(triples: int, seed: int = 4) -> Iterator[str]:
    """N-Triples lines of a SIDER-shaped graph of about ``triples`` triples."""
    rng = random.Random(seed)
    per_drug = PAIRS_PER_DRUG * TRIPLES_PER_PAIR + 3 + EFFECTS_PER_DRUG * 3
    drugs = max(2, round(triples / per_drug))
    while True:
        # Small graphs need more drugs, so the busiest drug still has at most half the effects.
        effects = max(10, drugs * EFFECTS_PER_DRUG)
        pairs_wanted = max(1, round((triples - drugs * 3 - effects * 3) / TRIPLES_PER_PAIR))
        top = pairs_wanted / sum(1 / (i + 1) ** 0.6 for i in range(drugs))
        if top <= effects / 2 or drugs * 6 * 3 > triples:
            break
        drugs += max(1, drugs // 20)

    for i in range(drugs):
        yield from _drug_lines(i, 100_000 + i, f"drug {i}")
    cuis = [f"C{1_000_000 + j:07d}" for j in range(effects)]
    for j, cui in enumerate(cuis):
        yield from _effect_lines(cui, f"effect {j}")

    # Zipf-like weights: drug i gets ~1/(i+1)^0.6 of the pairs, effect j ~1/(j+1)^0.9.
    drug_weights = [1 / (i + 1) ** 0.6 for i in range(drugs)]
    total = sum(drug_weights)
    cumulative_effects = _cumulative([1 / (j + 1) ** 0.9 for j in range(effects)])
    for i, weight in enumerate(drug_weights):
        degree = min(effects, max(1, round(pairs_wanted * weight / total)))
        chosen: dict[int, None] = {}
        while len(chosen) < degree:
            for j in rng.choices(range(effects), cum_weights=cumulative_effects, k=degree):
                chosen[j] = None
                if len(chosen) == degree:
                    break
        for j in chosen:
            reified = rng.random() < REIFIED_SHARE
            yield from _pair_lines(i, cuis[j], rng.choice(FREQUENCIES) if reified else None)


def _cumulative(weights: Iterable[float]) -> list[float]:
    out, running = [], 0.0
    for weight in weights:
        running += weight
        out.append(running)
    return out


def from_sider(directory: Path) -> Iterator[str]:
    """N-Triples lines of the real SIDER 4.1 preferred-term pairs, in the synthetic shape."""
    rows = _tsv(directory / "meddra_all_se.tsv.gz")
    frequencies: dict[tuple[str, str], str] = {}
    freq_file = directory / "meddra_freq.tsv.gz"
    if freq_file.is_file():
        for row in _tsv(freq_file):
            # flat, stereo, cui, placebo, text, lower, upper, type, meddra cui, name
            if len(row) >= 10 and row[7] == "PT" and row[3] != "placebo":
                key = (row[0], row[8])
                frequencies.setdefault(key, row[5])
    drugs: dict[str, int] = {}
    effects: dict[str, str] = {}
    pairs: dict[tuple[str, str], None] = {}
    for row in rows:
        if len(row) < 6 or row[3] != "PT":
            continue
        flat, cui, name = row[0], row[4], row[5]
        drugs.setdefault(flat, len(drugs))
        effects.setdefault(cui, name)
        pairs[(flat, cui)] = None
    for flat, index in drugs.items():
        cid = int(flat[4:]) if flat[4:].isdigit() else index
        yield from _drug_lines(index, cid, f"STITCH {flat}")
    for cui, name in effects.items():
        yield from _effect_lines(cui, name)
    for flat, cui in pairs:
        yield from _pair_lines(drugs[flat], cui, frequencies.get((flat, cui)))


def _tsv(path: Path) -> Iterator[list[str]]:
    with gzip.open(path, "rb") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        yield from csv.reader(text, delimiter="\t", quoting=csv.QUOTE_NONE)


def write(lines: Iterable[str], out: Path) -> int:
    """Write ``lines`` to ``out`` (gzip-compressed for ``.gz``); return the number written."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    count = 0
    opener = gzip.open if out.suffix == ".gz" else open
    try:
        with opener(tmp, "wt", encoding="utf-8") as handle:
            buffer: list[str] = []
            for line in lines:
                buffer.append(line)
                if len(buffer) >= 100_000:
                    handle.write("".join(buffer))
                    count += len(buffer)
                    buffer.clear()
            handle.write("".join(buffer))
            count += len(buffer)
        tmp.replace(out)
    except BaseException:
        tmp.unlink(missing_ok=True)  # no half-written file left beside ``out``
        raise
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--triples", type=float, help="about this many triples (e.g. 1e5)")
    source.add_argument("--from-sider", type=Path, metavar="DIR", help="convert real SIDER 4.1")
    parser.add_argument("-o", "--output", type=Path, required=True, help="file.nt or file.nt.gz")
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args(argv)
    if args.from_sider is not None:
        lines = from_sider(args.from_sider)
    else:
        lines = synthetic(int(args.triples), args.seed)
    count = write(lines, args.output)
    print(f"wrote {count} triples to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
