#!/usr/bin/env python3
"""Score a scanner's JSON report against make_history.py's truth.json.

    accuracy.py TRUTH.json REPORT.json [--tool djsec|gitleaks|kingfisher] [--verbose]

A planted secret counts as found when some finding's secret contains it, or
is contained in it (a PEM block may be reported with or without its line
breaks). A finding is a true positive when its secret matches a planted secret;
findings that match nothing are false alarms (decoys, or noise).
"""
import argparse, json, sys

def secrets_of(report, tool):
    if tool == "djsec":
        return [(f.get("secret", ""), f.get("path", ""), f.get("rule", "")) for f in report.get("findings", [])]
    if tool == "gitleaks":
        return [(f.get("Secret", ""), f.get("File", ""), f.get("RuleID", "")) for f in report or []]
    if tool == "kingfisher":
        items = report.get("findings", report) if isinstance(report, dict) else report
        out = []
        for f in items or []:
            fi = f.get("finding", f)
            out.append((fi.get("snippet") or fi.get("secret") or "", fi.get("path", ""), f.get("rule", {}).get("id", "") if isinstance(f.get("rule"), dict) else ""))
        return out
    raise SystemExit(f"unknown tool {tool}")

def norm(s): return s.replace("\\n", "\n").replace("\r", "").strip()

def score(truth, found):
    planted = [t for t in truth if t["expect"]]
    hit = set()
    true_findings = 0
    for secret, path, rule in found:
        s = norm(secret)
        matched = [i for i, t in enumerate(planted) if s and (norm(t["secret"]) in s or (len(s) >= 8 and s in norm(t["secret"])))]
        if matched:
            true_findings += 1
            hit.update(matched)
    recall = len(hit) / len(planted) if planted else 1.0
    precision = true_findings / len(found) if found else 1.0
    return recall, precision, [planted[i] for i in range(len(planted)) if i not in hit], [f for f in found if not any(norm(t["secret"]) in norm(f[0]) or (len(norm(f[0])) >= 8 and norm(f[0]) in norm(t["secret"])) for t in planted)]

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("truth"); ap.add_argument("report")
    ap.add_argument("--tool", default="djsec"); ap.add_argument("--verbose", action="store_true")
    a = ap.parse_args()
    truth = json.load(open(a.truth))
    try:
        report = json.load(open(a.report))
    except json.JSONDecodeError:
        report = [json.loads(l) for l in open(a.report) if l.strip().startswith("{")]
    found = secrets_of(report, a.tool)
    recall, precision, missed, false = score(truth, found)
    django = [t for t in truth if t["expect"] and t["kind"].startswith("django")]
    django_hit = len([t for t in django if t not in missed])
    print(f"{a.tool}: recall {recall:.0%} ({len(truth) - len(missed) - sum(not t['expect'] for t in truth)}/{sum(t['expect'] for t in truth)}), "
          f"precision {precision:.0%} ({len(found) - len(false)}/{len(found)}), Django keys {django_hit}/{len(django)}")
    if a.verbose:
        for t in missed: print(f"  missed: {t['kind']} {t['shape']} {t['path']}")
        for f in false: print(f"  false alarm: {f[2]} {f[1]}")

if __name__ == "__main__":
    main()
