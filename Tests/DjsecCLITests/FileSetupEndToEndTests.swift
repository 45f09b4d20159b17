import Foundation
import XCTest

/// djsec writes files as the user set them up: a deploy's local_settings.py
/// keeps its owner, group and group-readable mode; a store that is a symbolic
/// link is written where it points; when djsec cannot keep a file's owner it
/// says so and writes nothing; a key file an older djsec left empty says how
/// to recover.
final class FileSetupEndToEndTests: XCTestCase {
  private var work: URL!
  private var project: URL { work.appendingPathComponent("demo") }
  private var local: URL { project.appendingPathComponent("demo/local_settings.py") }

  override func setUpWithError() throws {
    work = try CLI.startProject("file-setup", python: try CLI.python())
    try CLI.git(["init", "-q", "-b", "main"], in: project)
    try CLI.git(["add", "-A"], in: project)
    try CLI.git(["commit", "-qm", "startproject"], in: project)
  }

  override func tearDownWithError() throws {
    if let work { try? FileManager.default.removeItem(at: work) }
  }

  private func requireRoot() throws {
    if geteuid() != 0 { throw XCTSkip("giving a file to another user needs root") }
  }

  private func info(_ url: URL) -> stat {
    var info = stat()
    stat(url.path, &info)
    return info
  }

  private func setSecret(_ name: String, _ value: String, in folder: URL? = nil) throws {
    try CLI.expect(["secret", "set", name, "--stdin"], in: folder ?? project, stdin: value)
  }

  func testRenderAndInitKeepTheOwnerGroupAndModeOfADeploysLocalSettings() throws {
    try requireRoot()
    try CLI.expect(["init", ".", "--host", "example.com"], in: project)
    // The app runs as another user and reads the file through its group.
    XCTAssertEqual(chown(local.path, 65534, 33), 0)
    XCTAssertEqual(chmod(local.path, 0o640), 0)
    try setSecret("DB_PASSWORD", "pw-\(UUID().uuidString)")
    try CLI.expect(["render"], in: project)
    XCTAssertTrue(try String(contentsOf: local, encoding: .utf8).contains("DB_PASSWORD = "))
    XCTAssertEqual(info(local).st_uid, 65534)
    XCTAssertEqual(info(local).st_gid, 33)
    XCTAssertEqual(info(local).st_mode & 0o7777, 0o640)
    try CLI.expect(["rotate", "secret-key"], in: project)
    XCTAssertEqual(info(local).st_uid, 65534)
    XCTAssertEqual(info(local).st_mode & 0o7777, 0o640)
    try CLI.expect(["init", ".", "--host", "example.com"], in: project)
    XCTAssertEqual(info(local).st_mode & 0o7777, 0o640)

    // Readable by every account: others lose it, the group keeps it.
    XCTAssertEqual(chmod(local.path, 0o644), 0)
    try CLI.expect(["render"], in: project)
    XCTAssertEqual(info(local).st_mode & 0o7777, 0o640)
    XCTAssertEqual(info(local).st_gid, 33)
    XCTAssertEqual(chmod(local.path, 0o644), 0)
    try CLI.expect(["init", ".", "--host", "example.com"], in: project)
    XCTAssertEqual(info(local).st_mode & 0o7777, 0o640)
  }

  /// A user who may replace the file (the folder is theirs) but not give it
  /// its group: one error line naming the file, and nothing written.
  func testWhenTheOwnerCannotBeKeptDjsecSaysSoAndWritesNothing() throws {
    try requireRoot()
    guard FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else { throw XCTSkip("no setpriv to run djsec as nobody") }
    let home = work.appendingPathComponent("nobody")
    try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
    XCTAssertEqual(chown(home.path, 65534, 65534), 0)
    func asNobody(_ args: [String]) throws -> Run {
      try CLI.run(
        URL(fileURLWithPath: "/usr/bin/setpriv"), ["--reuid=65534", "--regid=65534", "--clear-groups", CLI.binary.path] + args,
        in: home,
        environment: [
          "HOME": home.path, "XDG_STATE_HOME": home.appendingPathComponent("state").path,
          "XDG_CONFIG_HOME": home.appendingPathComponent("config").path,
        ])
    }
    let made = try asNobody(["keys", "new"])
    XCTAssertEqual(made.status, 0, made.stderr)
    let pub = home.appendingPathComponent("keys/default.pub")
    XCTAssertEqual(info(pub).st_uid, 65534)
    // Someone gave the public key to group www-data, which nobody is not in.
    XCTAssertEqual(chown(pub.path, 65534, 33), 0)
    let before = try Data(contentsOf: pub)
    let keys = try FileManager.default.contentsOfDirectory(atPath: home.appendingPathComponent("keys").path).sorted()

    let r = try asNobody(["keys", "pub"])
    XCTAssertEqual(r.status, 2)
    XCTAssertEqual(r.stdout, "")
    let lines = r.stderr.split(separator: "\n")
    XCTAssertEqual(lines.count, 2, r.stderr)
    XCTAssertEqual(
      lines.first.map(String.init),
      "djsec: error: cannot replace \(pub.resolvingSymlinksInPath().path) and keep its owner and group (nobody:www-data); nothing was written"
    )
    XCTAssertTrue(lines.last?.contains("run djsec as nobody") == true, r.stderr)
    XCTAssertEqual(try Data(contentsOf: pub), before)
    XCTAssertEqual(info(pub).st_gid, 33)
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: home.appendingPathComponent("keys").path).sorted(), keys)
  }

  /// A store shared between two checkouts through a link: written where the
  /// link points, the link kept, one lock for both paths.
  func testAStoreThatIsALinkIsWrittenWhereItPoints() throws {
    try CLI.expect(["init", ".", "--host", "example.com"], in: project)
    let shared = work.appendingPathComponent("shared")
    try FileManager.default.createDirectory(at: shared, withIntermediateDirectories: true)
    let store = project.appendingPathComponent("secrets.djsec")
    let real = shared.appendingPathComponent("secrets.djsec")
    try FileManager.default.moveItem(at: store, to: real)
    try FileManager.default.createSymbolicLink(atPath: store.path, withDestinationPath: real.path)

    let value = "v-\(UUID().uuidString)"
    try setSecret("API_TOKEN", value)
    XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: store.path), real.path)
    XCTAssertTrue(try String(contentsOf: real, encoding: .utf8).contains("API_TOKEN"))
    XCTAssertEqual(try CLI.expect(["secret", "get", "API_TOKEN"], in: project).stdout, value + "\n")
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: shared.path), ["secrets.djsec"])
    // Both paths at once: every write lands, none is lost to a second lock.
    let group = DispatchGroup()
    let folder = project
    for i in 0..<6 {
      let path = i % 2 == 0 ? store.path : real.path
      DispatchQueue.global().async(group: group) {
        _ = try? CLI.run(CLI.binary, ["secret", "set", "S\(i)", "--stdin", "--store", path], in: folder, stdin: "v\(i)")
      }
    }
    group.wait()
    let names = try CLI.expect(["secret", "list"], in: project).stdout.split(separator: "\n").map(String.init)
    XCTAssertEqual(Set(names).isSuperset(of: (0..<6).map { "S\($0)" }), true, "\(names)")
  }

  func testAnEmptyKeyFileSaysItIsIncompleteAndHowToMakeANewOne() throws {
    try CLI.expect(["init", ".", "--host", "example.com"], in: project)
    let key = project.appendingPathComponent("keys/default.key")
    XCTAssertEqual(truncate(key.path, 0), 0)
    let r = try CLI.expect(["secret", "list"], in: project, status: 2)
    XCTAssertTrue(r.stderr.contains("djsec: error: keys/default.key is incomplete (0 bytes)"), r.stderr)
    XCTAssertTrue(r.stderr.contains("rm keys/default.key"), r.stderr)
    XCTAssertTrue(r.stderr.contains("djsec keys new"), r.stderr)
    XCTAssertFalse(r.stderr.contains("from git") || r.stderr.contains("never writes this"), r.stderr)
  }
}
