"""Evaluate the trained model on the held-out French test set (tests/nlu/).

Prints intent macro-F1, per-intent F1, the most frequent confusions, FAQ answer accuracy,
and entity F1 / canonical-entity accuracy on (entity, canonical value) pairs, then writes the
figures as JSON. `tests/test_nlu_quality.py` runs the same evaluation as a regression gate.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def _f1(tp: int, fp: int, fn: int) -> float:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def load_examples(test_dir: Path) -> list[dict[str, Any]]:
    """The held-out examples: text, intent (faq as `faq/<key>`) and (entity, value) pairs."""
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(test_dir))
    examples = []
    for message in data.intent_examples:
        intent = message.get("intent_response_key") or message.get("intent")
        entities = sorted(
            {(str(e["entity"]), str(e["value"])) for e in message.get("entities") or []}
        )
        examples.append({"text": message.get("text"), "intent": intent, "entities": entities})
    return examples


async def _parse_all(model_dir: str, texts: list[str]) -> list[dict[str, Any]]:
    import logging

    from rasa.core.agent import Agent
    from rasa.model import get_latest_model
    from rasa.utils.log_utils import configure_structlog

    # Rasa logs every parsed message at debug level by default: keep the report readable.
    configure_structlog(logging.WARNING)

    model = get_latest_model(model_dir) if Path(model_dir).is_dir() else model_dir
    if model is None:
        raise SystemExit(f"Aucun modèle dans {model_dir} : lancez `make train`.")
    agent = Agent.load(model)
    return [await agent.parse_message(text) for text in texts]


def evaluate(model_dir: str, test_dir: Path) -> dict[str, Any]:
    """Parse every held-out example with the model and compute the figures."""
    examples = load_examples(test_dir)
    parses = asyncio.run(_parse_all(model_dir, [e["text"] for e in examples]))

    intent_counts: dict[str, Counter[str]] = {}
    confusions: Counter[tuple[str, str]] = Counter()
    faq_total = faq_right = 0
    ent_tp = ent_fp = ent_fn = 0
    for example, parse in zip(examples, parses, strict=True):
        gold_full = str(example["intent"])
        gold = gold_full.split("/")[0]
        predicted = str((parse.get("intent") or {}).get("name"))
        for name in (gold, predicted):
            intent_counts.setdefault(name, Counter())
        if predicted == gold:
            intent_counts[gold]["tp"] += 1
        else:
            intent_counts[gold]["fn"] += 1
            intent_counts[predicted]["fp"] += 1
            confusions[(gold, predicted)] += 1
        if gold == "faq":
            faq_total += 1
            key = (
                parse.get("response_selector", {})
                .get("faq", {})
                .get("response", {})
                .get("intent_response_key")
            )
            faq_right += int(predicted == "faq" and key == gold_full)
        found = {(str(e["entity"]), str(e["value"])) for e in parse.get("entities", [])}
        gold_entities = set(map(tuple, example["entities"]))
        ent_tp += len(found & gold_entities)
        ent_fp += len(found - gold_entities)
        ent_fn += len(gold_entities - found)

    gold_intents = sorted({str(e["intent"]).split("/")[0] for e in examples})
    per_intent = {
        name: round(_f1(c["tp"], c["fp"], c["fn"]), 3)
        for name, c in sorted(intent_counts.items())
        if name in gold_intents
    }
    return {
        "examples": len(examples),
        "intent_macro_f1": round(sum(per_intent.values()) / len(per_intent), 4),
        "intent_accuracy": round(sum(c["tp"] for c in intent_counts.values()) / len(examples), 4),
        "per_intent_f1": per_intent,
        "confusions": [
            {"attendu": gold, "predit": pred, "nombre": n}
            for (gold, pred), n in confusions.most_common(15)
        ],
        "faq_answer_accuracy": round(faq_right / faq_total, 4) if faq_total else None,
        "entity_f1": round(_f1(ent_tp, ent_fp, ent_fn), 4),
        "canonical_entity_accuracy": round(ent_tp / (ent_tp + ent_fn), 4)
        if ent_tp + ent_fn
        else None,
        "entity_pairs": {"found_right": ent_tp, "found_wrong": ent_fp, "missed": ent_fn},
    }


def main() -> int:
    """Run the evaluation and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="models")
    parser.add_argument("--test-dir", type=Path, default=Path("tests/nlu"))
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    report = evaluate(args.model, args.test_dir)
    print(f"Exemples évalués           : {report['examples']}")
    print(f"Intentions, macro-F1       : {report['intent_macro_f1']:.3f}")
    print(f"Intentions, exactitude     : {report['intent_accuracy']:.3f}")
    print(f"Réponses FAQ, exactitude   : {report['faq_answer_accuracy']}")
    print(f"Entités canoniques, F1     : {report['entity_f1']:.3f}")
    print(f"Entités canoniques, rappel : {report['canonical_entity_accuracy']}")
    print("F1 par intention :")
    for name, score in report["per_intent_f1"].items():
        print(f"  {name:<20} {score:.3f}")
    print("Confusions les plus fréquentes (attendu → prédit) :")
    for row in report["confusions"]:
        print(f"  {row['attendu']} → {row['predit']} : {row['nombre']}")
    if args.out:
        args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
