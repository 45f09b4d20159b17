/// `--format junit`: JUnit XML, which CI systems (GitLab, Jenkins, Azure
/// Pipelines, GitHub test-report actions) show as test results: one test
/// case per finding, failed, under one suite; a clean scan is one passing
/// case, so the report is never an empty suite that some readers drop.
public struct JUnitReporter: Reporter {
  public static let identifier = "junit"

  public init() {}

  public func render(_ result: ScanResult, options: ReportOptions) -> String {
    let findings = result.findings
    var out = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
    let tests = max(1, findings.count)
    out += #"<testsuites name="djsec scan" tests="\#(tests)" failures="\#(findings.count)">"# + "\n"
    out += #"  <testsuite name="djsec scan" tests="\#(tests)" failures="\#(findings.count)" errors="0" skipped="0">"# + "\n"
    if findings.isEmpty {
      out += #"    <testcase classname="djsec" name="no leaks found"/>"# + "\n"
    }
    for f in findings {
      let name = "\(f.rule) at \(f.path):\(f.line)"
      out += #"    <testcase classname="\#(Self.escape(f.path))" name="\#(Self.escape(name))">"# + "\n"
      let secret = options.showSecrets ? f.secret : "REDACTED (id \(f.secretHash))"
      var detail = "\(f.description)\nseverity \(f.severity.rawValue), confidence \(f.confidence.rawValue)\n"
      detail += "\(f.path):\(f.line):\(f.column)\n"
      if let c = f.commit { detail += "commit \(c.sha) \(c.date) \(c.author)\n" }
      detail += "fingerprint \(f.fingerprint)\nsecret \(secret)\n"
      out += #"      <failure type="\#(f.severity.rawValue)" message="\#(Self.escape(name + ": " + f.description))">"#
      out += Self.escape(detail) + "</failure>\n"
      out += "    </testcase>\n"
    }
    out += "  </testsuite>\n</testsuites>\n"
    return out
  }

  /// Text for an XML attribute or element: the five markup characters
  /// escaped, and the characters XML 1.0 forbids (most C0 controls, which a
  /// path or a secret from history may hold) written as U+FFFD.
  static func escape(_ text: String) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&apos;"
      case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
      case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF: out += "\u{FFFD}"
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out
  }
}

extension JUnitReporter: AuditReporter {
  /// One test case per check: failed with its findings, skipped when it does
  /// not apply, passed otherwise.
  public func render(_ audit: AuditResult, options: ReportOptions) -> String {
    let failures = audit.outcomes.filter { if case .failed = $0.outcome { true } else { false } }.count
    let skipped = audit.outcomes.filter { if case .notApplicable = $0.outcome { true } else { false } }.count
    let tests = audit.outcomes.count
    var out = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
    out += #"<testsuites name="djsec check" tests="\#(tests)" failures="\#(failures)">"# + "\n"
    out += #"  <testsuite name="djsec check" tests="\#(tests)" failures="\#(failures)" errors="0" skipped="\#(skipped)">"# + "\n"
    for (check, outcome) in audit.outcomes {
      out += #"    <testcase classname="djsec.check" name="\#(Self.escape(check.id))""#
      switch outcome {
      case .passed: out += "/>\n"
      case .notApplicable(let why): out += ">\n" + #"      <skipped message="\#(Self.escape(why))"/>"# + "\n    </testcase>\n"
      case .failed(let found):
        out += ">\n"
        for f in found {
          let detail = "\(f.message)\nfix: \(f.fix)\n" + (f.path.map { "at \($0)\(f.line.map { ":\($0)" } ?? "")\n" } ?? "")
          out += #"      <failure type="\#(f.severity.rawValue)" message="\#(Self.escape(f.check + ": " + f.message))">"#
          out += Self.escape(detail) + "</failure>\n"
        }
        out += "    </testcase>\n"
      }
    }
    out += "  </testsuite>\n</testsuites>\n"
    return out
  }
}
