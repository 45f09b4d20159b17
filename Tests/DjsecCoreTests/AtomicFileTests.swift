import Foundation
import XCTest

@testable import DjsecCore

/// AtomicFile writes files as the user set them up: through their symbolic
/// links, with their owner, group and mode, and with temporary files that
/// git ignores and the next write sweeps.
final class AtomicFileTests: XCTestCase {
  private var folder: URL!

  override func setUpWithError() throws {
    folder = FileManager.default.temporaryDirectory.appendingPathComponent("djsec-atomic-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(at: folder)
  }

  private func url(_ name: String) -> URL { folder.appendingPathComponent(name) }

  private func touch(_ name: String, _ text: String = "", in base: URL? = nil) throws {
    try text.write(to: (base ?? folder).appendingPathComponent(name), atomically: false, encoding: .utf8)
  }

  private func names(_ base: URL? = nil) throws -> Set<String> {
    Set(try FileManager.default.contentsOfDirectory(atPath: (base ?? folder).path))
  }

  private func info(_ url: URL) -> stat {
    var info = stat()
    stat(url.path, &info)
    return info
  }

  private func requireRoot() throws {
    if geteuid() != 0 { throw XCTSkip("giving a file to another user needs root") }
  }

  /// The pid of a process that has exited: no process has it (until pids wrap).
  private func deadPid() throws -> Int32 {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/true")
    try p.run()
    p.waitUntilExit()
    return p.processIdentifier
  }

  // MARK: - Temporary files

  func testAWriteSweepsTheTemporaryFilesOfKilledWritersOfTheSameFile() throws {
    let dead = try deadPid()
    try touch("local_settings.py", "old")
    try touch(".local_settings.py.djsec-tmp-\(dead)-aB3dE9", "SECRET_KEY = 'left by a kill'")
    // A writer that still runs (our parent), another file's, and not djsec's: left alone.
    try touch(".local_settings.py.djsec-tmp-\(getppid())-Zz9Yy8")
    try touch(".settings.py.djsec-tmp-\(dead)-Qq1Ww2")
    try touch(".local_settings.py.djsec-tmp-notapid-Qq1Ww2")

    try AtomicFile.write("new", to: url("local_settings.py"), mode: 0o600)

    XCTAssertEqual(
      try names(),
      [
        "local_settings.py", ".local_settings.py.djsec-tmp-\(getppid())-Zz9Yy8", ".settings.py.djsec-tmp-\(dead)-Qq1Ww2",
        ".local_settings.py.djsec-tmp-notapid-Qq1Ww2",
      ])
  }

  func testStaleTemporaryFilesAreListedByFolder() throws {
    let dead = try deadPid()
    try touch(".local_settings.py.djsec-tmp-\(dead)-aB3dE9")
    try touch(".secrets.djsec.djsec-tmp-\(dead)-Qq1Ww2")
    try touch(".local_settings.py.djsec-tmp-\(getppid())-Zz9Yy8")
    try touch(".local_settings.py.djsec-tmp-\(getpid())-Zz9Yy7")
    // An older djsec's name has no pid: stale once it is older than any write takes.
    try touch(".local_settings.py.djsec-Old123")
    try touch(".local_settings.py.djsec-New123")
    let old = Date().addingTimeInterval(-2 * AtomicFile.legacyAge)
    try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: url(".local_settings.py.djsec-Old123").path)
    try FileManager.default.createDirectory(at: url(".x.djsec-tmp-\(dead)-folder"), withIntermediateDirectories: true)

    XCTAssertEqual(
      AtomicFile.staleTemporaryFiles(in: folder).map(\.lastPathComponent),
      [".local_settings.py.djsec-Old123", ".local_settings.py.djsec-tmp-\(dead)-aB3dE9", ".secrets.djsec.djsec-tmp-\(dead)-Qq1Ww2"])
    try AtomicFile.write("x", to: url("local_settings.py"), mode: 0o600)
    XCTAssertEqual(AtomicFile.staleTemporaryFiles(in: folder).map(\.lastPathComponent), [".secrets.djsec.djsec-tmp-\(dead)-Qq1Ww2"])
  }

  func testTheIgnoreBlockCoversTemporaryFilesInEveryFolder() throws {
    XCTAssertEqual(Subprocess.run("git", ["init", "-q"], in: folder)?.status, 0)
    let block = try XCTUnwrap(GitIgnoreGuard.update(nil, adding: GitIgnoreGuard.patterns(localSettings: "site/local_settings.py")))
    try touch(".gitignore", block)
    func ignored(_ path: String) -> Bool { Subprocess.run("git", ["check-ignore", "-q", "--no-index", path], in: folder)?.status == 0 }
    XCTAssertTrue(ignored("site/.local_settings.py.djsec-tmp-4242-aB3dE9"))
    XCTAssertTrue(ignored(".secrets.djsec.djsec-tmp-4242-aB3dE9"))
    XCTAssertTrue(ignored("deep/er/.out.py.djsec-tmp-1-aaaaaa"))
    XCTAssertFalse(ignored("site/settings.py"))
    XCTAssertFalse(ignored("site/djsec-tmp-notes.md"))
  }

  // MARK: - Exclusive creates

  func testCreateNeverReplacesAndLeavesNoTemporaryFile() throws {
    try AtomicFile.create(Data("first\n".utf8), at: url("k.key"), mode: 0o600)
    XCTAssertEqual(info(url("k.key")).st_mode & 0o7777, 0o600)
    XCTAssertThrowsError(try AtomicFile.create(Data("second\n".utf8), at: url("k.key"), mode: 0o600)) {
      XCTAssertEqual($0 as? FileError, .exists(path: url("k.key").path))
    }
    XCTAssertEqual(try String(contentsOf: url("k.key"), encoding: .utf8), "first\n")
    XCTAssertEqual(info(url("k.key")).st_nlink, 1)
    XCTAssertEqual(try names(), ["k.key"])
    // Not even a dangling link is replaced.
    try FileManager.default.createSymbolicLink(atPath: url("l.key").path, withDestinationPath: "nowhere")
    XCTAssertThrowsError(try AtomicFile.create(Data("x".utf8), at: url("l.key"), mode: 0o600))
    XCTAssertFalse(FileManager.default.fileExists(atPath: url("nowhere").path))
  }

  // MARK: - Owner, group and mode

  func testKeptModeNeverWidensAndTakesOthersOffASecretFile() {
    XCTAssertEqual(AtomicFile.keptMode(0o640, requested: 0o600), 0o640)
    XCTAssertEqual(AtomicFile.keptMode(0o644, requested: 0o600), 0o640)
    XCTAssertEqual(AtomicFile.keptMode(0o600, requested: 0o600), 0o600)
    XCTAssertEqual(AtomicFile.keptMode(0o400, requested: 0o600), 0o400)
    XCTAssertEqual(AtomicFile.keptMode(0o660, requested: 0o644), 0o660)
    XCTAssertEqual(AtomicFile.keptMode(0o600, requested: 0o644), 0o600)
    XCTAssertEqual(AtomicFile.keptMode(0o664, requested: 0o644), 0o664)
    XCTAssertEqual(AtomicFile.keptMode(0o4755, requested: 0o644), 0o755)
  }

  func testANewFileGetsTheRequestedModeAndTheWriter() throws {
    try AtomicFile.write("x", to: url("new.py"), mode: 0o600)
    let made = info(url("new.py"))
    XCTAssertEqual(made.st_mode & 0o7777, 0o600)
    XCTAssertEqual(made.st_uid, geteuid())
  }

  func testReplacingKeepsOwnerGroupAndAGroupReadableMode() throws {
    try requireRoot()
    // A deploy's local_settings.py: nobody's (standing in for the app's user), group www-data (33), 0640.
    let file = url("local_settings.py")
    try touch("local_settings.py", "old")
    XCTAssertEqual(chown(file.path, 65534, 33), 0)
    XCTAssertEqual(chmod(file.path, 0o640), 0)

    try AtomicFile.write("new", to: file, mode: 0o600)

    let now = info(file)
    XCTAssertEqual(try String(contentsOf: file, encoding: .utf8), "new")
    XCTAssertEqual(now.st_uid, 65534)
    XCTAssertEqual(now.st_gid, 33)
    XCTAssertEqual(now.st_mode & 0o7777, 0o640)
  }

  func testASecretFileLosesWhatOthersMayDoAndNothingElse() throws {
    try requireRoot()
    let file = url("local_settings.py")
    try touch("local_settings.py", "old")
    XCTAssertEqual(chown(file.path, 65534, 33), 0)
    XCTAssertEqual(chmod(file.path, 0o644), 0)
    try AtomicFile.write("new", to: file, mode: 0o600)
    XCTAssertEqual(info(file).st_mode & 0o7777, 0o640)
    XCTAssertEqual(info(file).st_uid, 65534)

    // A file that holds no secret keeps its mode, and is never widened.
    try touch(".gitignore", "x")
    XCTAssertEqual(chmod(url(".gitignore").path, 0o600), 0)
    try AtomicFile.write("y", to: url(".gitignore"), mode: 0o644)
    XCTAssertEqual(info(url(".gitignore")).st_mode & 0o7777, 0o600)
  }

  // MARK: - Symbolic links

  func testAWriteGoesWhereALinkPointsAndTheLinkStays() throws {
    let elsewhere = folder.appendingPathComponent("etc/app")
    try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
    try touch("local_settings.py", "old", in: elsewhere)
    let target = elsewhere.appendingPathComponent("local_settings.py")
    XCTAssertEqual(chmod(target.path, 0o640), 0)
    try FileManager.default.createSymbolicLink(atPath: url("local_settings.py").path, withDestinationPath: "etc/app/local_settings.py")

    try AtomicFile.write("new", to: url("local_settings.py"), mode: 0o600)

    XCTAssertTrue(SymbolicLink.isLink(url("local_settings.py")))
    XCTAssertEqual(try String(contentsOf: target, encoding: .utf8), "new")
    XCTAssertEqual(info(target).st_mode & 0o7777, 0o640)
    XCTAssertEqual(try names(), ["local_settings.py", "etc"])
    XCTAssertEqual(try names(elsewhere), ["local_settings.py"])
  }

  func testADanglingLinkIsRefusedAndNothingIsWritten() throws {
    try FileManager.default.createSymbolicLink(atPath: url("local_settings.py").path, withDestinationPath: "gone/local_settings.py")
    XCTAssertThrowsError(try AtomicFile.write("x", to: url("local_settings.py"), mode: 0o600)) {
      XCTAssertEqual($0 as? FileError, .danglingLink(path: url("local_settings.py").path, target: "gone/local_settings.py"))
    }
    XCTAssertTrue(SymbolicLink.isLink(url("local_settings.py")))
    XCTAssertEqual(try names(), ["local_settings.py"])
  }

  func testResolvedFollowsEveryLinkOnce() throws {
    let real = folder.resolvingSymlinksInPath()
    try FileManager.default.createDirectory(at: url("a"), withIntermediateDirectories: true)
    try touch("a/store", "x")
    try FileManager.default.createSymbolicLink(atPath: url("b").path, withDestinationPath: "a")
    try FileManager.default.createSymbolicLink(atPath: url("c").path, withDestinationPath: "b/store")
    XCTAssertEqual(try SymbolicLink.resolved(url("c")).path, real.appendingPathComponent("a/store").path)
    XCTAssertEqual(try SymbolicLink.resolved(url("b/store")).path, real.appendingPathComponent("a/store").path)
    // Nothing there yet: through the folder's links.
    XCTAssertEqual(try SymbolicLink.resolved(url("b/new")).path, real.appendingPathComponent("a/new").path)
    XCTAssertEqual(try SymbolicLink.resolved(url("a/store")), try SymbolicLink.resolved(url("c")))
  }

  func testAStoreReachedThroughALinkHasOneLock() throws {
    try FileManager.default.createDirectory(at: url("a"), withIntermediateDirectories: true)
    try FileManager.default.createDirectory(at: url("b"), withIntermediateDirectories: true)
    try touch("a/secrets.djsec", "x")
    try FileManager.default.createSymbolicLink(atPath: url("b/secrets.djsec").path, withDestinationPath: "../a/secrets.djsec")

    let held = try StoreLock(for: url("a/secrets.djsec"))
    let acquired = DispatchSemaphore(value: 0)
    let link = url("b/secrets.djsec")
    Thread {
      let second = try? StoreLock(for: link)
      acquired.signal()
      second?.release()
    }.start()
    XCTAssertEqual(acquired.wait(timeout: .now() + 0.4), .timedOut, "the link's lock was not the store's")
    held.release()
    XCTAssertEqual(acquired.wait(timeout: .now() + 5), .success)
  }
}
