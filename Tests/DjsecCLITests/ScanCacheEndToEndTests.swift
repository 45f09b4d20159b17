import DjsecTestSupport
import Foundation
import XCTest

/// `djsec scan` keeps its compiled rules in $XDG_CACHE_HOME/djsec: the first
/// scan writes them, the next one reads them, and a damaged or misplaced
/// cache changes nothing a user sees.
final class ScanCacheEndToEndTests: XCTestCase {
  private var repo: GitFixture!
  private var cacheHome: URL!

  override func setUpWithError() throws {
    repo = try GitFixture("scan-cache")
    try repo.commit("settings", files: ["mysite/settings.py": "SECRET_KEY = '\(SecretGenerator.make("django_key")!)'\n"])
    // A binary file: its strings are matched with the second database, which
    // a scan builds (or loads) only when it meets one.
    try repo.commit("binary", files: ["assets/icon.bin": "\u{0}\u{1}\u{2}PNG\u{0}hello world\u{0}\u{3}"])
    cacheHome = try CLI.temporaryFolder("scan-cache-home")
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(at: cacheHome)
  }

  private var cacheFolder: URL { cacheHome.appendingPathComponent("djsec") }

  private func scan(cache: Bool = true) throws -> Run {
    // Without a cache: neither XDG_CACHE_HOME nor HOME names a folder.
    let env = cache ? ["XDG_CACHE_HOME": cacheHome.path] : ["XDG_CACHE_HOME": "", "HOME": ""]
    let r = try CLI.run(CLI.binary, ["scan", repo.root.path, "--format", "json"], environment: env)
    XCTAssertEqual(r.status, 1, r.stderr)
    XCTAssertEqual(r.stderr, "")
    return r
  }

  private func files() throws -> [URL] {
    try FileManager.default.contentsOfDirectory(atPath: cacheFolder.path).sorted().map { cacheFolder.appendingPathComponent($0) }
  }

  /// Inode and modification time: a file written again (renamed over) has a new inode.
  private func identity(_ url: URL) throws -> String {
    let a = try FileManager.default.attributesOfItem(atPath: url.path)
    return "\(a[.systemFileNumber] ?? 0) \((a[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)"
  }

  func testFirstScanWritesTheCacheAndTheSecondReadsIt() throws {
    let uncached = try scan(cache: false).stdout
    let first = try scan().stdout
    XCTAssertEqual(first, uncached)
    let written = try files()
    XCTAssertEqual(written.count, 2)
    XCTAssertEqual(AtomicFileMode.of(cacheFolder), 0o700)
    for file in written { XCTAssertEqual(AtomicFileMode.of(file), 0o600) }
    let before = try written.map(identity)
    XCTAssertEqual(try scan().stdout, uncached)
    XCTAssertEqual(try files(), written)
    XCTAssertEqual(try written.map(identity), before, "a loaded cache file is not written again")
  }

  func testDamagedCacheIsRebuiltWithTheSameFindings() throws {
    let uncached = try scan(cache: false).stdout
    _ = try scan()
    let written = try files()
    let good = try written.map { try Data(contentsOf: $0) }
    let damages: [(String, (Int) -> Data)] = [
      (
        "flipped bytes",
        {
          var d = good[$0]; d[d.count / 2] ^= 0xff; d[d.count - 1] ^= 0x01; return d
        }
      ),
      ("truncated", { good[$0].prefix(good[$0].count / 2) }),
      ("empty", { _ in Data() }),
      ("another key's file", { good[1 - $0] }),
    ]
    for (what, damage) in damages {
      for i in written.indices { try damage(i).write(to: written[i]) }
      let before = try written.map(identity)
      XCTAssertEqual(try scan().stdout, uncached, what)
      XCTAssertEqual(try written.map { try Data(contentsOf: $0) }, good, "\(what): rebuilt")
      XCTAssertNotEqual(try written.map(identity), before, what)
    }
  }

  func testACacheFolderThatIsALinkIsNotUsed() throws {
    let uncached = try scan(cache: false).stdout
    let elsewhere = cacheHome.appendingPathComponent("elsewhere")
    try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(at: cacheFolder, withDestinationURL: elsewhere)
    XCTAssertEqual(try scan().stdout, uncached)
    XCTAssertEqual(try scan().stdout, uncached)
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: elsewhere.path), [])
  }

  func testTwoScansWritingTheCacheAtOnceBothSucceed() throws {
    let uncached = try scan(cache: false).stdout
    let outputs = Outputs()
    let (root, home) = (repo.root.path, cacheHome.path)
    DispatchQueue.concurrentPerform(iterations: 4) { _ in
      let r = try? CLI.run(CLI.binary, ["scan", root, "--format", "json"], environment: ["XDG_CACHE_HOME": home])
      outputs.add(r)
    }
    for r in outputs.all {
      XCTAssertEqual(r?.status, 1, r?.stderr ?? "did not run")
      XCTAssertEqual(r?.stdout, uncached)
    }
    XCTAssertEqual(try files().count, 2, "two whole files, no temporary one left")
    let before = try files().map(identity)
    XCTAssertEqual(try scan().stdout, uncached)
    XCTAssertEqual(try files().map(identity), before, "what the racing scans left loads")
  }
}

private final class Outputs: @unchecked Sendable {
  private let lock = NSLock()
  private var runs: [Run?] = []
  func add(_ r: Run?) { lock.withLock { runs.append(r) } }
  var all: [Run?] { lock.withLock { runs } }
}

private enum AtomicFileMode {
  static func of(_ url: URL) -> Int? {
    (try? FileManager.default.attributesOfItem(atPath: url.path))?[.posixPermissions] as? Int
  }
}
