import DjsecTestSupport
import Foundation
import XCTest

@testable import DjsecCore

/// The compiled Hyperscan databases kept between runs: a second load uses
/// them, and every way a cache file can be wrong (flipped, truncated, empty,
/// another key's, a link, a folder that is not the user's) ends in a compile
/// and the same findings, never in a scan with the wrong database.
final class EngineCacheTests: XCTestCase {
  private var folder: URL!

  override func setUpWithError() throws {
    folder = FileManager.default.temporaryDirectory.appendingPathComponent("djsec-engine-cache-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(at: folder)
  }

  private var cacheFolder: URL { folder.appendingPathComponent("djsec") }

  private func files() -> [URL] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: cacheFolder.path)) ?? []
    return names.filter { $0.hasPrefix("hs-") && $0.hasSuffix(".db") }.sorted().map { cacheFolder.appendingPathComponent($0) }
  }

  /// A text with a Django key and a GitHub token in it, and what the rules
  /// compiled without any cache find there.
  private let sample: String = {
    let key = SecretGenerator.make("django_key")!
    return "SECRET_KEY = '\(key)'\nDATABASE_URL = 'postgres://app:\(SecretGenerator.random(20, from: SecretGenerator.base62))@db/app'\n"
  }()

  private func findings(_ ruleSet: RuleSet) -> [Detection] {
    var text = sample
    let detector = Detector(ruleSet: ruleSet)
    return text.withUTF8 { detector.detect(UnsafeRawBufferPointer($0)) }
  }

  /// The built-in rules with both databases made: the binary-strings one is
  /// otherwise made only when a scan first meets a binary file.
  private func both(_ cache: EngineCache) throws -> RuleSet {
    let ruleSet = try RuleSet.builtIn(cache: cache)
    _ = ruleSet.binaryDatabase
    return ruleSet
  }

  private func expectedFindings() throws -> [Detection] {
    let found = findings(try RuleSet.builtIn(examples: true))
    XCTAssertFalse(found.isEmpty, "the sample must give findings to compare")
    return found
  }

  func testFirstLoadCompilesAndStoresSecondLoadsBoth() throws {
    let first = EngineCache(folder: cacheFolder)
    _ = try RuleSet.builtIn(cache: first)
    XCTAssertEqual(first.testOnlyCounts, .init(loaded: 0, compiled: 2, discarded: 0), "a first load makes both, checking every pattern")
    XCTAssertEqual(files().count, 2, "one file per database (text, binary strings)")
    for file in files() { XCTAssertEqual(AtomicFile.mode(of: file), 0o600) }
    XCTAssertEqual(AtomicFile.mode(of: cacheFolder), 0o700)

    let second = EngineCache(folder: cacheFolder)
    let ruleSet = try RuleSet.builtIn(cache: second)
    XCTAssertEqual(second.testOnlyCounts, .init(loaded: 1, compiled: 0, discarded: 0), "the binary one waits for a binary")
    _ = ruleSet.binaryDatabase
    XCTAssertEqual(second.testOnlyCounts, .init(loaded: 2, compiled: 0, discarded: 0))
    XCTAssertEqual(findings(ruleSet), try expectedFindings())
  }

  func testOtherRulesGetAnotherKey() throws {
    let builtIn = try RuleSet.builtIn(cache: EngineCache(folder: cacheFolder))
    let before = Set(files())
    let file = RulesFile(version: 1, placeholders: [], ignorePaths: [], rules: Array(builtIn.rules.prefix(3)))
    let cache = EngineCache(folder: cacheFolder)
    _ = try RuleSet(file, source: "test", cache: cache)
    // Three rules that all scan text make two equal databases: the second loads the first.
    let counts = cache.testOnlyCounts
    XCTAssertEqual(counts.compiled + counts.loaded, 2)
    XCTAssertGreaterThanOrEqual(counts.compiled, 1, "three rules are not the whole set")
    XCTAssertEqual(Set(files()).subtracting(before).count, counts.compiled)
  }

  /// Every damaged file is removed, the database compiled and stored again,
  /// and the findings are those of a run without a cache.
  func testDamagedFilesAreRebuilt() throws {
    let expected = try expectedFindings()
    _ = try RuleSet.builtIn(cache: EngineCache(folder: cacheFolder))
    let good = try files().map { try Data(contentsOf: $0) }
    let damages: [(String, (Data) -> Data)] = [
      (
        "a flipped byte in the payload",
        {
          var d = $0; d[d.count / 2] ^= 0x40; return d
        }
      ),
      (
        "a flipped byte in the header",
        {
          var d = $0; d[20] ^= 0x01; return d
        }
      ),
      ("truncated", { $0.prefix($0.count - 100) }),
      ("truncated to its header", { $0.prefix(EngineCache.headerSize) }),
      ("empty", { _ in Data() }),
      ("garbage", { _ in Data(repeating: 0x41, count: 4096) }),
    ]
    for (what, damage) in damages {
      for (i, file) in files().enumerated() { try damage(good[i]).write(to: file) }
      let cache = EngineCache(folder: cacheFolder)
      let ruleSet = try both(cache)
      XCTAssertEqual(cache.testOnlyCounts, .init(loaded: 0, compiled: 2, discarded: 2), what)
      XCTAssertEqual(findings(ruleSet), expected, what)
      XCTAssertEqual(try files().map { try Data(contentsOf: $0) }, good, "\(what): the file is written again")
    }
  }

  /// The two databases swapped: each file is valid, but of another key.
  func testAFileOfAnotherKeyIsRebuilt() throws {
    let expected = try expectedFindings()
    _ = try RuleSet.builtIn(cache: EngineCache(folder: cacheFolder))
    let paths = files()
    XCTAssertEqual(paths.count, 2)
    let a = try Data(contentsOf: paths[0])
    let b = try Data(contentsOf: paths[1])
    try b.write(to: paths[0])
    try a.write(to: paths[1])
    let cache = EngineCache(folder: cacheFolder)
    XCTAssertEqual(findings(try both(cache)), expected)
    XCTAssertEqual(cache.testOnlyCounts, .init(loaded: 0, compiled: 2, discarded: 2))
    XCTAssertEqual(try Data(contentsOf: paths[0]), a)
  }

  /// Hyperscan's own check: a file with a correct header around bytes that
  /// are not a database of this library is removed.
  func testAPayloadHyperscanRejectsIsRebuilt() throws {
    let cache = EngineCache(folder: cacheFolder)
    _ = try RuleSet.builtIn(cache: cache)
    let paths = files()
    for path in paths {
      let key = String(path.lastPathComponent.dropFirst(3).dropLast(3))
      let payload = [UInt8](repeating: 7, count: 1000)
      try Data(EngineCache.header(key: key, payload: payload) + payload).write(to: path)
      XCTAssertEqual(cache.load(key: key), payload, "the header is right, so the cache hands it to Hyperscan")
    }
    let again = EngineCache(folder: cacheFolder)
    _ = try both(again)
    XCTAssertEqual(again.testOnlyCounts, .init(loaded: 0, compiled: 2, discarded: 2))
  }

  func testAFolderThatIsALinkIsNotUsed() throws {
    let elsewhere = folder.appendingPathComponent("elsewhere")
    try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(at: cacheFolder, withDestinationURL: elsewhere)
    for _ in 0..<2 {
      let cache = EngineCache(folder: cacheFolder)
      XCTAssertEqual(findings(try RuleSet.builtIn(cache: cache)), try expectedFindings())
      XCTAssertEqual(cache.testOnlyCounts, .init(loaded: 0, compiled: 2, discarded: 0))
    }
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: elsewhere.path), [])
  }

  func testAFileThatIsALinkIsReplacedNotFollowed() throws {
    _ = try RuleSet.builtIn(cache: EngineCache(folder: cacheFolder))
    let target = folder.appendingPathComponent("target")
    try Data("keep".utf8).write(to: target)
    for file in files() {
      try FileManager.default.removeItem(at: file)
      try FileManager.default.createSymbolicLink(at: file, withDestinationURL: target)
    }
    let cache = EngineCache(folder: cacheFolder)
    _ = try both(cache)
    XCTAssertEqual(cache.testOnlyCounts.compiled, 2)
    XCTAssertEqual(try Data(contentsOf: target), Data("keep".utf8))
    for file in files() { XCTAssertFalse(SymbolicLink.isLink(file)) }
    XCTAssertEqual(EngineCache(folder: cacheFolder).load(key: "0") == nil, true)
  }

  func testAWideFolderOfTheUsersIsNarrowed() throws {
    try FileManager.default.createDirectory(at: cacheFolder, withIntermediateDirectories: true)
    chmod(cacheFolder.path, 0o755)
    _ = try RuleSet.builtIn(cache: EngineCache(folder: cacheFolder))
    XCTAssertEqual(AtomicFile.mode(of: cacheFolder), 0o700)
    XCTAssertEqual(files().count, 2)
  }

  func testNoFolderMeansNoCache() throws {
    let cache = EngineCache(environment: [:])
    XCTAssertNil(cache.folder)
    XCTAssertEqual(findings(try RuleSet.builtIn(cache: cache)), try expectedFindings())
    XCTAssertEqual(cache.testOnlyCounts, .init(loaded: 0, compiled: 2, discarded: 0))
    XCTAssertNil(EngineCache(environment: ["XDG_CACHE_HOME": "relative", "HOME": "also-relative"]).folder)
    XCTAssertEqual(EngineCache(environment: ["XDG_CACHE_HOME": "/c", "HOME": "/h"]).folder?.path, "/c/djsec")
    XCTAssertEqual(EngineCache(environment: ["HOME": "/h"]).folder?.path, "/h/.cache/djsec")
  }

  /// Many compiles storing the same keys at once: each succeeds, and what is
  /// left is a whole, loadable file.
  func testConcurrentWritersAllSucceed() throws {
    let expected = try expectedFindings()
    let results = UnsafeSendableBox(Array(repeating: [Detection](), count: 6))
    let lock = NSLock()
    let cacheFolder = cacheFolder
    var text = sample
    let buffer = text.withUTF8 { Array($0) }
    DispatchQueue.concurrentPerform(iterations: 6) { i in
      let found = (try? RuleSet.builtIn(cache: EngineCache(folder: cacheFolder))).map { ruleSet in
        buffer.withUnsafeBytes { Detector(ruleSet: ruleSet).detect($0) }
      }
      lock.withLock { results.value[i] = found ?? [] }
    }
    for found in results.value { XCTAssertEqual(found, expected) }
    let cache = EngineCache(folder: cacheFolder)
    _ = try both(cache)
    XCTAssertEqual(cache.testOnlyCounts, .init(loaded: 2, compiled: 0, discarded: 0))
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: cacheFolder.path).count, 2, "no temporary file is left")
  }
}

private final class UnsafeSendableBox<Value>: @unchecked Sendable {
  var value: Value
  init(_ value: Value) { self.value = value }
}

/// A cached database vouches for every pattern of the rules it was built
/// from, the PCRE2-only ones too: a rules file whose allow pattern changed
/// is another key, so a bad pattern there is still an error at load.
final class EngineCacheValidationTests: XCTestCase {
  func testAChangedAllowPatternIsCheckedAgain() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("djsec-engine-validate-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: folder) }
    let builtIn = try RuleSet.builtIn(examples: true)
    var rules = Array(builtIn.rules.prefix(3))
    _ = try RuleSet(RulesFile(rules: rules), source: "good", cache: EngineCache(folder: folder))
    rules[0].allow = (rules[0].allow ?? []) + ["(unclosed"]
    XCTAssertThrowsError(try RuleSet(RulesFile(rules: rules), source: "bad", cache: EngineCache(folder: folder))) { error in
      XCTAssertTrue("\(error)".contains(rules[0].id), "\(error)")
    }
  }
}
