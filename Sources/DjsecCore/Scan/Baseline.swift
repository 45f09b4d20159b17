import Foundation

/// `--write-baseline` / `--baseline`: the findings a team accepted when it
/// adopted djsec, so CI fails only on new ones. A baseline holds each
/// finding's rule, path, fingerprint and secret id (a BLAKE2b digest), never
/// a value, so it can be committed. A finding is known when its secret's id
/// is in the baseline: the same value moved to another line or file, or
/// copied beside itself, is not new; another value is.
public struct Baseline: Sendable, Equatable {
  public struct Entry: Codable, Sendable, Equatable {
    public var rule: String
    public var path: String
    public var fingerprint: String
    public var id: String
  }

  struct Document: Codable {
    var version: Int
    var tool: String
    var findings: [Entry]
  }

  public var entries: [Entry]

  public init(_ findings: [Finding]) {
    entries = findings.map { Entry(rule: $0.rule, path: $0.path, fingerprint: $0.fingerprint, id: $0.secretHash) }
  }

  public func encoded() -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    let data = (try? encoder.encode(Document(version: 1, tool: "djsec", findings: entries))) ?? Data()
    return String(decoding: data, as: UTF8.self) + "\n"
  }

  public static func load(_ url: URL) throws(BaselineError) -> Baseline {
    guard let data = FileManager.default.contents(atPath: url.path) else { throw .unreadable(path: url.path) }
    let document: Document
    do { document = try JSONDecoder().decode(Document.self, from: data) } catch { throw .malformed(path: url.path) }
    guard document.version == 1, document.tool == "djsec" else { throw .malformed(path: url.path) }
    // An id is 32 hex digits: anything else (a value pasted in) is refused.
    guard document.findings.allSatisfy({ $0.id.count == 32 && $0.id.allSatisfy(\.isHexDigit) }) else {
      throw .malformed(path: url.path)
    }
    var baseline = Baseline([])
    baseline.entries = document.findings
    return baseline
  }

  /// The findings the baseline does not know.
  public func newFindings(_ result: ScanResult) -> ScanResult {
    let known = Set(entries.map(\.id))
    var out = result
    out.findings = result.findings.filter { !known.contains($0.secretHash) }
    return out
  }
}

public enum BaselineError: Error, Equatable, Sendable {
  case unreadable(path: String)
  case malformed(path: String)
}

extension BaselineError: DjsecError {
  public var message: String {
    switch self {
    case .unreadable(let p): "cannot read the baseline \(p)"
    case .malformed(let p): "\(p) is not a djsec baseline"
    }
  }

  public var hint: String? {
    switch self {
    case .unreadable: "write one with 'djsec scan --write-baseline \(pathHint)'"
    case .malformed: "write it again with 'djsec scan --write-baseline \(pathHint)' (a report from --format json is not a baseline)"
    }
  }

  private var pathHint: String {
    switch self {
    case .unreadable(let p), .malformed(let p): p
    }
  }
}
