import Foundation

/// `--format sarif`: SARIF 2.1.0 for code-scanning dashboards (GitHub, GitLab).
/// Every rule the scan used (`ReportOptions.rules`) is listed in the driver; each finding is a result with its
/// location, fingerprint and, in `properties`, the commit.
public struct SARIFReporter: Reporter {
  public static let identifier = "sarif"

  public init() {}

  public func render(_ result: ScanResult, options: ReportOptions) -> String {
    let level: (Rule.Severity) -> String = { $0 >= .high ? "error" : $0 == .medium ? "warning" : "note" }
    let ruleIds = Set(result.findings.map(\.rule))
    let known = Set(options.rules.map(\.id))
    let driverRules: [[String: Any]] =
      options.rules.map { r in
        [
          "id": r.id, "name": r.id, "shortDescription": ["text": r.description],
          "defaultConfiguration": ["level": level(r.severity)],
          "properties": ["severity": r.severity.rawValue, "confidence": (r.confidence ?? .high).rawValue],
        ]
      } + ruleIds.subtracting(known).sorted().map { ["id": $0, "shortDescription": ["text": $0]] }
    let results: [[String: Any]] = result.findings.map { f in
      var properties: [String: Any] = [
        "severity": f.severity.rawValue, "confidence": f.confidence.rawValue, "otherCommits": f.otherCommits, "secretHash": f.secretHash,
      ]
      if let c = f.commit {
        properties["commit"] = c.sha
        properties["author"] = c.author
        properties["date"] = c.date
      }
      if options.showSecrets { properties["secret"] = f.secret }
      return [
        "ruleId": f.rule,
        "level": level(f.severity),
        "message": ["text": "\(f.description) (\(f.rule))"],
        "locations": [
          [
            "physicalLocation": [
              "artifactLocation": ["uri": Self.uri(f.path)],
              "region": ["startLine": max(1, f.line), "startColumn": max(1, f.column)],
            ]
          ]
        ],
        "partialFingerprints": ["djsec/v1": f.fingerprint],
        "properties": properties,
      ]
    }
    return Self.log(tool: "djsec", rules: driverRules, results: results)
  }

  /// One SARIF 2.1.0 log of one run, keys sorted so the output is stable.
  static func log(tool: String, rules: [[String: Any]], results: [[String: Any]]) -> String {
    let doc: [String: Any] = [
      "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
      "version": "2.1.0",
      "runs": [
        [
          "tool": ["driver": ["name": tool, "informationUri": "https://github.com/djsec/djsec", "rules": rules]],
          "results": results,
        ]
      ],
    ]
    let data =
      (try? JSONSerialization.data(withJSONObject: doc, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data()
    return String(decoding: data, as: UTF8.self) + "\n"
  }

  /// A relative URI reference (RFC 3986) for git's bytes of the path: a
  /// space, a quote or a byte that is not UTF-8 is percent-encoded, so the
  /// file a code-scanning dashboard opens is the one git holds.
  static func uri(_ path: String) -> String {
    var out = ""
    for byte in GitPath.bytes(path) {
      switch byte {
      case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
        UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"):
        out.unicodeScalars.append(UnicodeScalar(byte))
      default:
        out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
      }
    }
    return out
  }
}

extension SARIFReporter: AuditReporter {
  /// Each check is a rule (its title, reference and docs page); each finding
  /// a result at its file when it has one. Django's own ids (security.W004)
  /// are rules too.
  public func render(_ audit: AuditResult, options: ReportOptions) -> String {
    let level: (Rule.Severity) -> String = { $0 >= .high ? "error" : $0 == .medium ? "warning" : "note" }
    var rules: [[String: Any]] = audit.outcomes.map { check, _ in
      [
        "id": check.id, "name": check.id, "shortDescription": ["text": check.title],
        "helpUri": "https://github.com/djsec/djsec/blob/main/docs/checks/\(check.id).md",
        "properties": ["reference": check.reference],
      ]
    }
    let known = Set(audit.outcomes.map { $0.check.id })
    for id in Set(audit.findings.map(\.check)).subtracting(known).sorted() {
      rules.append(["id": id, "name": id, "shortDescription": ["text": "Django system check \(id)"]])
    }
    let results: [[String: Any]] = audit.findings.map { f in
      var result: [String: Any] = [
        "ruleId": f.check, "level": level(f.severity), "message": ["text": "\(f.message). Fix: \(f.fix)"],
        "properties": ["severity": f.severity.rawValue, "fix": f.fix],
      ]
      if let path = f.path {
        var location: [String: Any] = ["artifactLocation": ["uri": Self.uri(path)]]
        if let line = f.line { location["region"] = ["startLine": max(1, line)] }
        result["locations"] = [["physicalLocation": location]]
      }
      return result
    }
    return Self.log(tool: "djsec check", rules: rules, results: results)
  }
}
