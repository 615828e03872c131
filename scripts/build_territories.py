#!/usr/bin/env python
"""Derive the compact territory tables of knowledge/territoires/ from Etalab's official data.

Source: the npm package `@etalab/decoupage-administratif` (INSEE's Code officiel géographique,
La Poste's postal codes, INSEE populations, DGCL's EPCI). The package is fetched with
`npm pack` into a temporary directory OUTSIDE the repository (never committed); only the derived
CSV tables and PROVENANCE.md are.

    python scripts/build_territories.py                 # offline: keep existing tables
    python scripts/build_territories.py --refresh       # fetch the pinned version and rebuild
    python scripts/build_territories.py --from DIR      # rebuild from an unpacked package DIR

Without `--refresh` or `--from`, the script only checks that the tables exist (so `make data`
works offline once they are committed).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "knowledge" / "territoires"
PACKAGE = "@etalab/decoupage-administratif"
VERSION = "6.0.0"  # millésime 2026 of the COG (see the package README's table)
TABLES = ("regions.csv", "departements.csv", "communes.csv", "epci.csv", "hors_champ.csv")

# CONTRACT.md §2 region slugs, keyed by INSEE region code. Any region of the data missing here
# (collectivités d'outre-mer) is out of the contract's scope and goes to hors_champ.csv.
REGION_SLUGS = {
    "01": "guadeloupe",
    "02": "martinique",
    "03": "guyane",
    "04": "la_reunion",
    "06": "mayotte",
    "11": "ile_de_france",
    "24": "centre_val_de_loire",
    "27": "bourgogne_franche_comte",
    "28": "normandie",
    "32": "hauts_de_france",
    "44": "grand_est",
    "52": "pays_de_la_loire",
    "53": "bretagne",
    "75": "nouvelle_aquitaine",
    "76": "occitanie",
    "84": "auvergne_rhone_alpes",
    "93": "provence_alpes_cote_d_azur",
    "94": "corse",
}


def fetch_package(workdir: Path) -> Path:
    """Download and unpack the pinned package into `workdir`; return the package directory."""
    subprocess.run(
        ["npm", "pack", f"{PACKAGE}@{VERSION}", "--silent"],
        cwd=workdir,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    tarball = next(workdir.glob("*.tgz"))
    with tarfile.open(tarball) as tar:
        tar.extractall(workdir, filter="data")
    return workdir / "package"


def _load(package_dir: Path, name: str) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads((package_dir / "data" / name).read_text("utf-8"))
    return data


def _write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    tmp.replace(path)


def build(package_dir: Path) -> dict[str, int]:
    """Write the tables from an unpacked package directory; return row counts."""
    meta = json.loads((package_dir / "package.json").read_text("utf-8"))
    if meta["version"] != VERSION:
        sys.exit(f"version {meta['version']} found, {VERSION} expected")
    OUT_DIR.mkdir(parents=True, exist_ok=True)

    regions = [r for r in _load(package_dir, "regions.json") if r["code"] in REGION_SLUGS]
    if len(regions) != len(REGION_SLUGS):
        sys.exit("a region of the contract is missing from the data")
    _write_csv(
        OUT_DIR / "regions.csv",
        ["code", "slug", "nom"],
        [[r["code"], REGION_SLUGS[r["code"]], r["nom"]] for r in regions],
    )

    departements = [
        d for d in _load(package_dir, "departements.json") if d["region"] in REGION_SLUGS
    ]
    _write_csv(
        OUT_DIR / "departements.csv",
        ["code", "nom", "region", "chef_lieu"],
        [[d["code"], d["nom"], REGION_SLUGS[d["region"]], d["chefLieu"]] for d in departements],
    )

    epci_by_commune: dict[str, str] = {}
    epci_rows = []
    for epci in _load(package_dir, "epci.json"):
        for member in epci["membres"]:
            epci_by_commune[member["code"]] = epci["code"]
        epci_rows.append([epci["code"], epci["nom"], epci["type"], epci["populationTotale"]])
    _write_csv(OUT_DIR / "epci.csv", ["siren", "nom", "type", "population"], epci_rows)

    communes = _load(package_dir, "communes.json")
    current = [c for c in communes if c["type"] == "commune-actuelle"]
    # Arrondissements municipaux (Paris, Lyon, Marseille) are skipped: their postal codes are
    # already listed on their commune (13008 → Marseille), which is what routing needs.
    names = {c["code"]: c["nom"] for c in current}
    region_names = {r["code"]: r["nom"] for r in _load(package_dir, "regions.json")}
    commune_rows = []
    hors_champ = []
    for c in current:
        postal_codes = " ".join(c.get("codesPostaux", []))
        if c["region"] not in REGION_SLUGS:
            # Collectivités d'outre-mer (Saint-Barthélemy 97133, Saint-Martin 97150,
            # Saint-Pierre-et-Miquelon, Polynésie…): kept only to say so clearly.
            if postal_codes:
                hors_champ.append([c["code"], c["nom"], postal_codes, region_names[c["region"]]])
            continue
        commune_rows.append(
            [
                c["code"],
                c["nom"],
                postal_codes,
                c["departement"],
                c.get("population", ""),
                c.get("siren", ""),
                epci_by_commune.get(c["code"], ""),
            ]
        )
    _write_csv(
        OUT_DIR / "communes.csv",
        ["code", "nom", "codes_postaux", "departement", "population", "siren", "epci"],
        commune_rows,
    )
    _write_csv(
        OUT_DIR / "hors_champ.csv", ["code", "nom", "codes_postaux", "collectivite"], hors_champ
    )

    # Former communes merged into a commune nouvelle: buyers still name them ("Bâgé-la-Ville").
    aliases = sorted(
        {
            (c["nom"], c["chefLieu"])
            for c in communes
            if c["type"] in ("commune-deleguee", "commune-associee")
            and c.get("chefLieu") in names
            and c["nom"] != names[c["chefLieu"]]
        }
    )
    _write_csv(OUT_DIR / "anciennes_communes.csv", ["nom", "commune"], [list(a) for a in aliases])

    counts = {
        "regions": len(regions),
        "departements": len(departements),
        "communes": len(commune_rows),
        "epci": len(epci_rows),
        "anciennes_communes": len(aliases),
        "hors_champ": len(hors_champ),
    }
    _write_provenance(meta, counts)
    return counts


def _write_provenance(meta: dict[str, Any], counts: dict[str, int]) -> None:
    lines = [
        "# Provenance des tables territoriales",
        "",
        f"- Paquet : `{PACKAGE}` version **{meta['version']}** (millésime 2026 du COG),",
        "  registre npm, dépôt https://github.com/etalab/decoupage-administratif",
        "- Licence : code sous licence MIT (fichier LICENSE du paquet, © Etalab) ; données sous",
        "  Licence Ouverte / Open Licence 2.0 d'Etalab (README du paquet, section « Licence »).",
        "- Sources du paquet : Code officiel géographique de l'INSEE, populations légales INSEE,",
        "  base officielle des codes postaux de La Poste (Licence Ouverte), EPCI de la DGCL.",
        f"- Tables dérivées le {dt.date.today().isoformat()} par `scripts/build_territories.py`",
        "  (`make data`). Ne pas éditer à la main : relancer le script.",
        "",
        "## Tables",
        "",
        f"- `regions.csv` ({counts['regions']}) : code INSEE, identifiant (CONTRACT §2), nom.",
        f"- `departements.csv` ({counts['departements']}) : code INSEE, nom, région, chef-lieu.",
        f"- `communes.csv` ({counts['communes']}) : communes actuelles (type COM) des 101",
        "  départements : code INSEE, nom, codes postaux (séparés par des espaces ; ceux des",
        "  arrondissements municipaux de Paris, Lyon et Marseille sont portés par la commune),",
        "  département, population, SIREN, SIREN de l'EPCI à fiscalité propre.",
        f"- `epci.csv` ({counts['epci']}) : EPCI à fiscalité propre : SIREN, nom, type, population",
        "  totale.",
        f"- `anciennes_communes.csv` ({counts['anciennes_communes']}) : communes déléguées ou",
        "  associées et la commune actuelle qui les a absorbées (nom → code INSEE).",
        f"- `hors_champ.csv` ({counts['hors_champ']}) : communes des collectivités d'outre-mer",
        "  (hors des 18 régions), gardées pour répondre clairement qu'elles ne sont pas couvertes.",
        "",
    ]
    (OUT_DIR / "PROVENANCE.md").write_text("\n".join(lines), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Entry point; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--refresh", action="store_true", help="fetch the package and rebuild")
    parser.add_argument("--from", dest="source", type=Path, help="unpacked package directory")
    args = parser.parse_args(argv)
    if args.source:
        counts = build(args.source)
    elif args.refresh:
        with tempfile.TemporaryDirectory(prefix="decoupage-") as tmp:
            counts = build(fetch_package(Path(tmp)))
    else:
        missing = [t for t in TABLES if not (OUT_DIR / t).exists()]
        if missing:
            print(f"Missing tables {missing}: run with --refresh (needs npm and the network).")
            return 1
        print(f"Territory tables present in {OUT_DIR} (use --refresh to rebuild).")
        return 0
    print(", ".join(f"{k}: {v}" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
