/// A secret found in a repository's history or in files on disk.
public struct Finding: Sendable, Equatable {
  public var rule: String
  public var description: String
  /// The rule's severity, lowered to `low` in tests and docs unless the
  /// rule recognises a provider's own format.
  public var severity: Rule.Severity
  /// How sure the rule is that the match is a credential (see `Rule.confidence`).
  public var confidence: Rule.Confidence
  public var path: String
  public var line: Int
  public var column: Int
  /// The commit that first introduced it at this path (earliest by commit date); nil off git.
  public var commit: CommitInfo?
  /// How many other commits introduced the same secret at the same path.
  public var otherCommits: Int
  /// The blob it was found in; nil off git.
  public var blob: String?
  public var secret: String
  /// A keyed-free BLAKE2b digest of the secret: lets reports be compared and
  /// baselined without revealing the value.
  public var secretHash: String
  /// The rule's whole match and the line it is on, kept only when an allow
  /// list reads them (a gitleaks `regexTarget`); never reported.
  public var context: Context? = nil

  public struct Context: Sendable, Equatable {
    public var match: String
    public var line: String
  }

  /// Stable across runs, in gitleaks' form `commit:path:rule:line` (`path:rule:line` off git).
  public var fingerprint: String {
    [commit?.sha, path, rule, String(line)].compactMap { $0 }.joined(separator: ":")
  }
}

/// Counters a scan reports alongside its findings.
public struct ScanStats: Sendable, Equatable {
  public var blobsScanned = 0
  public var bytesScanned = 0
  public var binaryBlobs = 0
  public var archives = 0
  public var skippedLarge = 0
  public var skippedIgnoredPath = 0
  public var commits = 0
  public var unreachableBlobs = 0

  mutating func add(_ o: ScanStats) {
    blobsScanned += o.blobsScanned
    bytesScanned += o.bytesScanned
    binaryBlobs += o.binaryBlobs
    archives += o.archives
    skippedLarge += o.skippedLarge
    skippedIgnoredPath += o.skippedIgnoredPath
  }
}

public struct ScanResult: Sendable {
  public var findings: [Finding]
  public var stats: ScanStats
  public var warnings: [String]
}
