import DjsecTestSupport
import Foundation
import XCTest

/// `djsec hook install` and `uninstall` on real repositories, then real
/// `git commit`s through the hook it wrote: the hook calls djsec by name, so
/// the built binary's folder is put on PATH as an installed djsec would be.
final class HookEndToEndTests: XCTestCase {
  private let binFolder = CLI.binary.deletingLastPathComponent().path

  /// PATH with the built djsec first (or without it, to play a machine where djsec is not installed).
  private func environment(djsecOnPath: Bool = true) -> [String: String] {
    ["PATH": (djsecOnPath ? binFolder + ":" : "") + "/usr/local/bin:/usr/bin:/bin"]
  }

  @discardableResult
  private func djsec(_ args: [String], in repo: GitFixture, onPath: Bool = true, status: Int32 = 0, line: UInt = #line) throws -> Run {
    try CLI.expect(args, in: repo.root, env: environment(djsecOnPath: onPath), status: status, line: line)
  }

  /// `git commit` as a user runs it, hooks and all; its exit status and stderr.
  private func commit(_ repo: GitFixture, _ message: String, in folder: URL? = nil) throws -> Run {
    try CLI.run(
      URL(fileURLWithPath: "/usr/bin/git"), ["commit", "-q", "-m", message], in: folder ?? repo.root,
      environment: environment().merging(
        [
          "GIT_AUTHOR_NAME": "Dev", "GIT_AUTHOR_EMAIL": "dev@example.invalid", "GIT_COMMITTER_NAME": "Dev",
          "GIT_COMMITTER_EMAIL": "dev@example.invalid",
        ]
      ) { $1 })
  }

  private func settings(_ key: String) -> String { "DEBUG = False\nSECRET_KEY = '\(key)'\n" }

  private func hook(_ repo: GitFixture, _ name: String = "pre-commit") -> URL {
    repo.root.appendingPathComponent(".git/hooks/\(name)")
  }

  private func text(_ url: URL) -> String? { FileManager.default.contents(atPath: url.path).map { String(decoding: $0, as: UTF8.self) } }

  func testInstalledHookRefusesAStagedKeyAndPassesACleanCommit() throws {
    let repo = try GitFixture("hook-commit")
    try repo.commit("readme", files: ["README.md": "hi\n", "mysite/settings.py": "DEBUG = False\n"])
    let installed = try djsec(["hook", "install", repo.root.path], in: repo)
    XCTAssertTrue(installed.stderr.contains("installed"), installed.stderr)
    let path = hook(repo)
    XCTAssertEqual(text(path), text(CLI.packageRoot.appendingPathComponent("templates/pre-commit")), "the hook is the template")
    XCTAssertTrue(FileManager.default.isExecutableFile(atPath: path.path))

    // An unstaged key is not what the commit adds: a clean staged change passes beside it.
    let unstaged = SecretGenerator.make("django_key")!
    try repo.write("mysite/settings.py", settings(unstaged))
    try repo.write("CHANGES.md", "first release\n")
    try repo.git("add", "CHANGES.md")
    let before = try repo.git("rev-parse", "HEAD")
    let clean = try commit(repo, "changes")
    XCTAssertEqual(clean.status, 0, clean.stderr)
    XCTAssertNotEqual(try repo.git("rev-parse", "HEAD"), before, "the clean commit was made")

    // The same key, staged: refused, and no commit made.
    try repo.git("add", "mysite/settings.py")
    let head = try repo.git("rev-parse", "HEAD")
    let refused = try commit(repo, "settings")
    XCTAssertNotEqual(refused.status, 0, "a staged key must stop the commit")
    XCTAssertEqual(try repo.git("rev-parse", "HEAD"), head, "no new commit")
    XCTAssertTrue(refused.stdout.contains("mysite/settings.py") || refused.stderr.contains("mysite/settings.py"))
    XCTAssertFalse((refused.stdout + refused.stderr).contains(unstaged), "the key is never printed")
  }

  func testSecondInstallChangesNothingAndSaysSo() throws {
    let repo = try GitFixture("hook-twice")
    try repo.commit("readme", files: ["README.md": "hi\n"])
    try djsec(["hook", "install"], in: repo)
    var first = stat()
    XCTAssertEqual(stat(hook(repo).path, &first), 0)
    let again = try djsec(["hook", "install"], in: repo)
    XCTAssertTrue(again.stderr.contains("already installed"), again.stderr)
    var second = stat()
    XCTAssertEqual(stat(hook(repo).path, &second), 0)
    XCTAssertEqual(first.st_ino, second.st_ino, "the file was not rewritten")
    XCTAssertEqual(first.st_mtim.tv_nsec, second.st_mtim.tv_nsec)
    XCTAssertFalse(FileManager.default.fileExists(atPath: hook(repo, "pre-commit.djsec-chained").path))
  }

  func testAUsersHookIsChainedStillBlocksAndIsRestoredByUninstall() throws {
    let repo = try GitFixture("hook-chain")
    try repo.commit("readme", files: ["README.md": "hi\n"])
    // The user's own hook: records that it ran, and refuses while a file named BLOCK exists.
    let users = """
      #!/bin/sh
      touch "$(git rev-parse --git-dir)/user-hook-ran"
      if [ -e BLOCK ]; then echo "user hook: BLOCK is there" >&2; exit 1; fi
      exit 0

      """
    try repo.write(".git/hooks/pre-commit", users)
    chmod(hook(repo).path, 0o755)
    let installed = try djsec(["hook", "install"], in: repo)
    let chained = hook(repo, "pre-commit.djsec-chained")
    XCTAssertTrue(installed.stderr.contains(chained.lastPathComponent), "says where the user's hook went: \(installed.stderr)")
    XCTAssertEqual(text(chained), users, "kept byte for byte")

    try repo.write("a.txt", "a\n")
    try repo.git("add", "a.txt")
    let ran = repo.root.appendingPathComponent(".git/user-hook-ran")
    XCTAssertEqual(try commit(repo, "a").status, 0)
    XCTAssertTrue(FileManager.default.fileExists(atPath: ran.path), "the user's hook still runs")

    // Its failure still blocks a commit djsec finds clean.
    try repo.write("BLOCK", "")
    try repo.write("b.txt", "b\n")
    try repo.git("add", "b.txt")
    let blocked = try commit(repo, "b")
    XCTAssertNotEqual(blocked.status, 0)
    XCTAssertTrue(blocked.stderr.contains("user hook: BLOCK is there"), blocked.stderr)
    try FileManager.default.removeItem(at: repo.root.appendingPathComponent("BLOCK"))

    // A key is still refused by djsec after the user's hook passes.
    let key = SecretGenerator.make("django_key")!
    try repo.write("deploy/.env", "DJANGO_SECRET_KEY=\(key)\n")
    try repo.git("add", "deploy/.env")
    XCTAssertNotEqual(try commit(repo, "env").status, 0)

    // A second install keeps the chain as it is.
    let again = try djsec(["hook", "install"], in: repo)
    XCTAssertTrue(again.stderr.contains("already installed"), again.stderr)
    XCTAssertEqual(text(chained), users)

    let removed = try djsec(["hook", "uninstall"], in: repo)
    XCTAssertTrue(removed.stderr.contains("restored"), removed.stderr)
    XCTAssertEqual(text(hook(repo)), users, "the user's hook is back in its place")
    XCTAssertTrue(FileManager.default.isExecutableFile(atPath: hook(repo).path))
    XCTAssertFalse(FileManager.default.fileExists(atPath: chained.path))
    XCTAssertEqual(try commit(repo, "env").status, 0, "djsec no longer checks commits")
  }

  func testUninstallWithoutAChainRemovesTheHookAndLeavesAForeignOneAlone() throws {
    let repo = try GitFixture("hook-uninstall")
    try repo.commit("readme", files: ["README.md": "hi\n"])
    try djsec(["hook", "install"], in: repo)
    let removed = try djsec(["hook", "uninstall"], in: repo)
    XCTAssertTrue(removed.stderr.contains("removed"), removed.stderr)
    XCTAssertFalse(FileManager.default.fileExists(atPath: hook(repo).path))
    let nothing = try djsec(["hook", "uninstall"], in: repo)
    XCTAssertTrue(nothing.stderr.contains("no djsec hook"), nothing.stderr)

    try repo.write(".git/hooks/pre-commit", "#!/bin/sh\nexit 0\n")
    let foreign = try djsec(["hook", "uninstall"], in: repo)
    XCTAssertTrue(foreign.stderr.contains("not djsec's"), foreign.stderr)
    XCTAssertEqual(text(hook(repo)), "#!/bin/sh\nexit 0\n")
  }

  func testCoreHooksPathAndLinkedWorktreesAreRespected() throws {
    let repo = try GitFixture("hook-hookspath")
    try repo.commit("readme", files: ["README.md": "hi\n"])
    try repo.git("config", "core.hooksPath", ".githooks")
    let installed = try djsec(["hook", "install"], in: repo)
    let shared = repo.root.appendingPathComponent(".githooks/pre-commit")
    XCTAssertTrue(FileManager.default.isExecutableFile(atPath: shared.path), installed.stderr)
    XCTAssertFalse(FileManager.default.fileExists(atPath: hook(repo).path))
    try repo.write("settings.py", settings(SecretGenerator.make("django_key")!))
    try repo.git("add", "settings.py")
    XCTAssertNotEqual(try commit(repo, "key").status, 0, "the hook in core.hooksPath runs")
    try repo.git("reset", "-q")

    // A linked worktree shares the repository's hooks: installing from it writes them there.
    try repo.git("config", "--unset", "core.hooksPath")
    let tree = repo.root.appendingPathComponent("linked")
    try repo.git("worktree", "add", "-q", tree.path)
    try CLI.expect(["hook", "install"], in: tree, env: environment())
    XCTAssertTrue(FileManager.default.isExecutableFile(atPath: hook(repo).path), "in the common git folder")
    try (settings(SecretGenerator.make("django_key")!)).write(
      to: tree.appendingPathComponent("prod_settings.py"), atomically: true, encoding: .utf8)
    try CLI.git(["add", "prod_settings.py"], in: tree)
    XCTAssertNotEqual(try commit(repo, "key", in: tree).status, 0, "the hook refuses in the linked worktree too")
  }

  func testInstallWithoutDjsecOnPathWarnsAndStillInstalls() throws {
    let repo = try GitFixture("hook-nopath")
    try repo.commit("readme", files: ["README.md": "hi\n"])
    let r = try djsec(["hook", "install"], in: repo, onPath: false)
    XCTAssertTrue(FileManager.default.isExecutableFile(atPath: hook(repo).path))
    XCTAssertTrue(r.stderr.contains("djsec: warning: djsec is not on PATH"), r.stderr)
    XCTAssertTrue(r.stderr.contains("djsec: hint: "), r.stderr)
  }

  func testOutsideARepositoryIsAnErrorWithAHint() throws {
    let folder = try CLI.temporaryFolder("hook-norepo")
    defer { try? FileManager.default.removeItem(at: folder) }
    let r = try CLI.expect(["hook", "install", folder.path], in: folder, env: environment(), status: 2)
    XCTAssertTrue(r.stderr.contains("djsec: error: \(folder.path) is not a git repository"), r.stderr)
    XCTAssertTrue(r.stderr.contains("djsec: hint: "), r.stderr)
  }
}
