import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// One secret found in one buffer.
public struct Detection: Sendable, Equatable {
  public var ruleIndex: Int
  public var secret: [UInt8]
  /// Byte range of the secret in the buffer it was found in.
  public var range: Range<Int>
  /// 1-based line and column (in bytes) of the secret's first byte.
  public var line: Int
  public var column: Int
  /// Byte range of the rule's whole match (an allow list may read it).
  public var match: Range<Int>
}

/// Finds secrets in a buffer: Hyperscan over the whole buffer for every rule
/// at once, then for each rule that hit, PCRE2 on the windows around its hits,
/// then the rule's extractor, validators, entropy and allow lists.
/// One Detector per thread: it owns Hyperscan scratch space.
public final class Detector {
  public let ruleSet: RuleSet
  private let scratch: HyperscanScratch
  private lazy var binaryScratch: HyperscanScratch = ruleSet.binaryDatabase.makeScratch()
  private let hits: HitCollector
  /// The markers (RuleSet.Marker) the last `detect` saw in its buffer.
  private(set) var markers: Set<RuleSet.Marker> = []

  public init(ruleSet: RuleSet) {
    self.ruleSet = ruleSet
    scratch = ruleSet.database.makeScratch()
    hits = HitCollector(ruleCount: ruleSet.rules.count + RuleSet.Marker.allCases.count)
  }

  /// `binaryStrings`: the buffer holds strings pulled out of a binary file,
  /// which binary-scoped rules also run on.
  public func detect(_ buffer: UnsafeRawBufferPointer, binaryStrings: Bool = false) -> [Detection] {
    hits.reset()
    if binaryStrings {
      ruleSet.binaryDatabase.scan(buffer, scratch: binaryScratch, into: hits)
    } else {
      ruleSet.database.scan(buffer, scratch: scratch, into: hits)
    }
    var found: [Detection] = []
    var claimed: [Range<Int>] = []
    let ruleCount = ruleSet.rules.count
    markers = Set(RuleSet.Marker.allCases.filter { !hits.ends[ruleCount + $0.rawValue].isEmpty })
    for (index, ends) in hits.ends.prefix(ruleCount).enumerated() where !ends.isEmpty {
      // The generic rules read config syntax: a binary's strings are not config.
      if binaryStrings, (ruleSet.rules[index].confidence ?? .high) == .low { continue }
      confirm(rule: index, ends: ends, in: buffer, into: &found, claimed: &claimed)
    }
    // A value a specific rule matched and then rejected (a documented example,
    // a token whose checksum fails) is that rule's call: a generic rule must
    // not report it as a random string under a secret's name.
    if !claimed.isEmpty {
      found.removeAll { d in
        (ruleSet.rules[d.ruleIndex].confidence ?? .high) == .low && claimed.contains { $0.overlaps(d.range) }
      }
    }
    return dedupe(found, in: buffer)
  }

  private func confirm(
    rule index: Int, ends: [Int], in buffer: UnsafeRawBufferPointer, into found: inout [Detection], claimed: inout [Range<Int>]
  ) {
    let rule = ruleSet.rules[index]
    let lookbehind = rule.lookbehind ?? 1024
    // Windows around the hits, merged where they overlap, each extended to the
    // end of its line so trailing context (a closing quote) is in view.
    var windows: [Range<Int>] = []
    for end in ends.sorted() {
      let lower = max(0, end - lookbehind)
      let upper = lineEnd(buffer, from: end, limit: 4096)
      if let last = windows.last, lower <= last.upperBound {
        windows[windows.count - 1] = last.lowerBound..<max(last.upperBound, upper)
      } else {
        windows.append(lower..<upper)
      }
    }
    for window in windows {
      for match in ruleSet.precise[index].matches(in: buffer, window: window, group: rule.secretGroup) {
        guard containsKeyword(index, buffer, rule.keywordsAnywhere == true ? 0..<buffer.count : match.range) else { continue }
        for (secret, range) in extract(rule, match, buffer) {
          if (rule.confidence ?? .high) == .low, onMinifiedLine(buffer, range) { continue }
          if rule.publicValue == true {
            claimed.append(range)
          } else {
            switch verdict(index, secret) {
            case .accepted: found.append(Detection(ruleIndex: index, secret: secret, range: range, line: 0, column: 0, match: match.range))
            case .notASecret where (rule.confidence ?? .high) > .low: claimed.append(range)
            case .notASecret, .notThisRule: break
            }
          }
        }
      }
    }
  }

  private func extract(_ rule: Rule, _ match: PreciseRegex.Match, _ buffer: UnsafeRawBufferPointer) -> [([UInt8], Range<Int>)] {
    let anchor = match.group1 ?? match.range
    switch rule.extractor ?? .capture {
    case .capture:
      return [(Array(buffer[anchor]), anchor)]
    case .pythonExpression:
      guard let value = PythonStrings.expression(in: buffer, at: anchor.lowerBound) else { return [] }
      return [(value.bytes, value.range)]
    case .pythonList:
      return PythonStrings.list(in: buffer, at: anchor.lowerBound).map { ($0.bytes, $0.range) }
    }
  }

  /// The filters that make a match a finding: length, entropy, validators,
  /// the rule's allow list and the shared placeholders.
  enum Verdict {
    case accepted
    /// A documented example, a placeholder, a checksum that fails: the rule
    /// knows this value is no credential, and no generic rule may report it.
    case notASecret
    /// Too short, too regular, or another kind of value of the same shape
    /// (a JWT that is not the provider's): other rules may still judge it.
    case notThisRule
  }

  private func verdict(_ index: Int, _ secret: [UInt8]) -> Verdict {
    let rule = ruleSet.rules[index]
    // Counted in characters (code points), not bytes: "éééé" is four characters, not eight.
    let characters = secret.reduce(0) { $0 + ($1 & 0xC0 != 0x80 ? 1 : 0) }
    if characters < (rule.minLength ?? 1) { return .notThisRule }
    if let minimum = rule.entropy, Entropy.shannon(secret) < minimum { return .notThisRule }
    if rule.randomLike == true, !RandomnessFloor.passes(secret) { return .notThisRule }
    for name in rule.validators ?? [] where Validators.named(name)?(secret) == false {
      return name.hasSuffix("-checksum") ? .notASecret : .notThisRule
    }
    if let digests = rule.allowDigests, digests.contains(SecretDigest.hex(secret)) { return .notASecret }
    let text = String(decoding: secret, as: UTF8.self)
    // In a URL a placeholder may be percent-encoded (`p%C3%A4ssword`, `not-re%40l`): both forms are checked.
    let forms = text.contains("%") ? [text, text.removingPercentEncoding ?? text] : [text]
    for form in forms {
      if ruleSet.allows[index].contains(where: { $0.matches(form) }) { return .notASecret }
      if ruleSet.placeholders.contains(where: { $0.matches(form) }) { return .notASecret }
    }
    return .accepted
  }

  private func containsKeyword(_ index: Int, _ buffer: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
    let keywords = ruleSet.keywords[index]
    if keywords.isEmpty { return true }
    let lowered = buffer[range].map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
    return keywords.contains { kw in
      kw.count <= lowered.count && (0...(lowered.count - kw.count)).contains { i in lowered[i..<(i + kw.count)].elementsEqual(kw) }
    }
  }

  /// One finding per secret location: when rules overlap, the earlier rule in
  /// the rules file wins. A finding an allow comment covers is skipped on
  /// purpose (AllowComment).
  private func dedupe(_ found: [Detection], in buffer: UnsafeRawBufferPointer) -> [Detection] {
    guard !found.isEmpty else { return [] }
    var kept: [Detection] = []
    for d in found.sorted(by: { ($0.ruleIndex, $0.range.lowerBound) < ($1.ruleIndex, $1.range.lowerBound) }) {
      // A rule limited to some paths wins its overlaps later, once the path
      // is known (SecretScanner.resolveOverlaps): here it must not hide the rule
      // that applies where it does not (`secret_key` in .s3cfg is AWS's).
      if kept.contains(where: {
        !ruleSet.conditional[$0.ruleIndex]
          && ($0.range.overlaps(d.range) || ($0.range.isEmpty && $0.range.lowerBound == d.range.lowerBound))
      }) {
        continue
      }
      kept.append(d)
    }
    // Line numbers in one forward pass over the buffer, however many findings.
    var out: [Detection] = []
    var line = 1
    var lineStart = 0
    var cursor = 0
    for var d in kept.sorted(by: { $0.range.lowerBound < $1.range.lowerBound }) {
      let offset = d.range.lowerBound
      while cursor < offset {
        guard let base = buffer.baseAddress, let nl = memchr(base + cursor, 10, offset - cursor) else { break }
        let at = UnsafeRawPointer(nl) - base
        line += 1
        lineStart = at + 1
        cursor = at + 1
      }
      cursor = max(cursor, offset)
      if AllowComment.allows(d, lineStart: lineStart, in: buffer, lineEnd: { lineEnd(buffer, from: $0, limit: 1 << 20) }) {
        continue
      }
      d.line = line
      d.column = offset - lineStart + 1
      out.append(d)
    }
    return out
  }

  /// A line of thousands of characters is a minified bundle or a source map,
  /// whatever the file is called: a generic rule's `name = value` shape there
  /// is code, not configuration.
  private func onMinifiedLine(_ buffer: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
    let limit = 2000
    let start = max(0, range.lowerBound - limit)
    let before = range.lowerBound - start
    let hasBreakBefore = before < limit || buffer[start..<range.lowerBound].contains(10)
    return !hasBreakBefore || lineEnd(buffer, from: range.upperBound, limit: limit) - range.upperBound >= limit
  }

  private func lineEnd(_ buffer: UnsafeRawBufferPointer, from start: Int, limit: Int) -> Int {
    let stop = min(buffer.count, start + limit)
    guard start < stop, let base = buffer.baseAddress else { return min(start, buffer.count) }
    guard let nl = memchr(base + start, 10, stop - start) else { return stop }
    return UnsafeRawPointer(nl) - base
  }
}

/// The comments that mark a value as reviewed, in the forms users of other
/// scanners already write: djsec's own, gitleaks' and detect-secrets'. On
/// the value's own line; for a value over several lines (a PEM key, a
/// triple-quoted string), on the line before it too; and detect-secrets'
/// `pragma: allowlist nextline secret` on the line before any value.
enum AllowComment {
  static let sameLine = ["djsec:allow", "gitleaks:allow", "pragma: allowlist secret"]
  static let nextLine = "pragma: allowlist nextline secret"

  static func allows(
    _ d: Detection, lineStart: Int, in buffer: UnsafeRawBufferPointer, lineEnd: (Int) -> Int
  ) -> Bool {
    func holds(_ range: Range<Int>, _ markers: [String]) -> Bool {
      let line = UnsafeRawBufferPointer(rebasing: buffer[range])
      return markers.contains { Bytes.contains(line, $0) }
    }
    if holds(lineStart..<lineEnd(d.range.lowerBound), sameLine) { return true }
    guard lineStart > 0 else { return false }
    // The line before: from the newline before it to the one ending it.
    var previous = lineStart - 1
    while previous > 0, buffer[previous - 1] != 10 { previous -= 1 }
    let before = previous..<(lineStart - 1)
    if holds(before, [nextLine]) { return true }
    return d.secret.contains(10) && holds(before, sameLine)
  }
}
