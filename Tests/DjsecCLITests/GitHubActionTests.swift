import DjsecTestSupport
import Foundation
import XCTest

/// The repository's `action.yml`, run step by step by
/// Tests/consumers/github_actions_runner.py (GitHub's documented composite
/// action semantics) on real repositories: it installs djsec from `make
/// dist`'s tarball, served over HTTP on loopback as a GitHub release is, or
/// from `make wheel`'s wheel through pip, then scans and hands the SARIF
/// report to code scanning's upload.
final class GitHubActionTests: XCTestCase {
  struct Outcome {
    var steps: [[String: Any]]
    var uses: [[String: Any]]
    var failed: Bool
    var runnerTemp: String

    func step(_ name: String) -> [String: Any] { steps.first { $0["name"] as? String == name } ?? [:] }
    func outcome(_ name: String) -> String? { step(name)["outcome"] as? String }
    func output(_ name: String, _ key: String) -> String? { (step(name)["outputs"] as? [String: String])?[key] }
    var log: String { steps.compactMap { $0["log"] as? String }.joined() }
  }

  /// A static file server on loopback over `folder`, as GitHub serves a
  /// release's files; stopped by the returned closure.
  static func serve(_ folder: URL) throws -> (url: String, stop: () -> Void) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
    process.arguments = ["-u", "-m", "http.server", "--bind", "127.0.0.1", "--directory", folder.path, "0"]
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle.nullDevice
    try process.run()
    var line = Data()
    while !line.contains(UInt8(ascii: "\n")) {
      let chunk = out.fileHandleForReading.availableData
      if chunk.isEmpty { break }
      line.append(chunk)
    }
    // "Serving HTTP on 127.0.0.1 port 41234 (http://127.0.0.1:41234/) ..."
    let text = String(decoding: line, as: UTF8.self)
    guard let port = text.range(of: #"port (\d+)"#, options: .regularExpression).map({ text[$0].dropFirst(5) }) else {
      process.terminate()
      throw XCTSkip("the loopback file server did not start: \(text)")
    }
    return (
      "http://127.0.0.1:\(port)",
      {
        process.terminate(); process.waitUntilExit()
      }
    )
  }

  /// The github context of a push, the action used from a local path (no action repository).
  static var push: [String: Any] { ["event_name": "push", "action_repository": ""] }

  static func runAction(
    in workspace: URL, inputs: [String: String], github: [String: Any], environment: [String: String] = [:]
  ) throws -> Outcome {
    let runner = CLI.packageRoot.appendingPathComponent("Tests/consumers/github_actions_runner.py")
    var args = [runner.path, CLI.packageRoot.path, "--workspace", workspace.path]
    args += ["--github", String(decoding: try JSONSerialization.data(withJSONObject: github), as: UTF8.self)]
    for (name, value) in inputs.sorted(by: { $0.key < $1.key }) { args += ["--input", "\(name)=\(value)"] }
    // No djsec on PATH but the one the action installs.
    var env = ["PATH": "/usr/bin:/bin"]
    env.merge(environment) { $1 }
    let r = try CLI.run(try CLI.python(), args, environment: env)
    XCTAssertEqual(r.status, 0, "the runner ran: \(r.stderr)")
    let doc = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], r.stdout)
    return Outcome(
      steps: doc["steps"] as? [[String: Any]] ?? [], uses: doc["uses"] as? [[String: Any]] ?? [],
      failed: doc["failed"] as? Bool ?? true, runnerTemp: doc["runner_temp"] as? String ?? "")
  }

  func testOnAPushItInstallsTheReleaseScansTheHistoryAndUploadsTheSARIFReport() throws {
    let dist = try ReleasePackageTests.dist(".tar.gz").deletingLastPathComponent()
    let server = try Self.serve(dist)
    defer { server.stop() }
    let repo = try GitFixture("action-push")
    let key = SecretGenerator.make("django_key")!
    try repo.commit("settings", files: ["mysite/settings.py": "SECRET_KEY = '\(key)'\n"])
    try repo.commit("clean", files: ["README.md": "hi\n"])

    let run = try Self.runAction(
      in: repo.root, inputs: ["release-url": server.url], github: Self.push)
    defer { try? FileManager.default.removeItem(atPath: run.runnerTemp) }
    XCTAssertEqual(run.outcome("Install djsec"), "success", run.log)
    XCTAssertTrue(run.log.contains("djsec 0."), "the installed djsec answered --version: \(run.log)")
    XCTAssertEqual(run.output("Run djsec", "exit-code"), "1", "the key in history is a finding: \(run.log)")
    XCTAssertFalse(run.log.contains(key), "the key is never printed")
    let sarif = try XCTUnwrap(run.output("Run djsec", "sarif"))
    XCTAssertEqual(run.uses.first?["uses"] as? String, "github/codeql-action/upload-sarif@v3")
    XCTAssertEqual((run.uses.first?["with"] as? [String: String])?["sarif_file"], sarif)
    XCTAssertEqual((run.uses.first?["with"] as? [String: String])?["category"], "djsec-scan")
    let doc = try JSONSerialization.jsonObject(with: try Data(contentsOf: URL(fileURLWithPath: sarif))) as? [String: Any]
    let results = (doc?["runs"] as? [[String: Any]])?.first?["results"] as? [[String: Any]] ?? []
    XCTAssertEqual(results.first?["ruleId"] as? String, "django-secret-key")
    XCTAssertEqual(run.outcome("Fail on findings"), "failure", "the job fails after the upload")
    XCTAssertTrue(run.failed)
  }

  func testOnAPullRequestItScansOnlyTheCommitsItAdds() throws {
    let dist = try ReleasePackageTests.dist(".tar.gz").deletingLastPathComponent()
    let server = try Self.serve(dist)
    defer { server.stop() }
    let repo = try GitFixture("action-pr")
    try repo.commit("old leak", files: ["mysite/settings.py": "SECRET_KEY = '\(SecretGenerator.make("django_key")!)'\n"])
    try repo.commit("rotated", files: ["mysite/settings.py": "from .local_settings import *\n"])
    let base = try repo.git("rev-parse", "HEAD")
    try repo.git("checkout", "-q", "-b", "feature")
    try repo.commit("clean change", files: ["docs.md": "more\n"])
    let clean = try repo.git("rev-parse", "HEAD")
    // The github context's pull request, as the runner has it for a pull_request event.
    func run(head: String) throws -> Outcome {
      let pullRequest = ["base": ["sha": base], "head": ["sha": head]]
      let github: [String: Any] = [
        "event_name": "pull_request", "action_repository": "", "event": ["pull_request": pullRequest],
      ]
      return try Self.runAction(in: repo.root, inputs: ["release-url": server.url], github: github)
    }
    let quiet = try run(head: clean)
    XCTAssertEqual(quiet.output("Run djsec", "exit-code"), "0", "the old leak on the base is not the pull request's: \(quiet.log)")
    XCTAssertEqual(quiet.outcome("Fail on findings"), "skipped")
    XCTAssertEqual(quiet.uses.count, 1, "an empty report is uploaded too (it closes fixed alerts)")
    XCTAssertFalse(quiet.failed)

    try repo.commit("leak", files: ["mysite/prod.py": "SECRET_KEY = '\(SecretGenerator.make("django_key")!)'\n"])
    let leaked = try run(head: try repo.git("rev-parse", "HEAD"))
    XCTAssertEqual(leaked.output("Run djsec", "exit-code"), "1", leaked.log)
    XCTAssertTrue(leaked.failed)

    // The pull request allows its own leak: the base's settings are used, and it still fails.
    try repo.commit("allow it", files: [".djsec.toml": "[[allow]]\npaths = ['''^mysite/prod\\.py$''']\n"])
    let allowed = try run(head: try repo.git("rev-parse", "HEAD"))
    XCTAssertEqual(allowed.output("Run djsec", "exit-code"), "1", allowed.log)
    XCTAssertTrue(allowed.log.contains(".djsec.toml differs from"), allowed.log)
    for temp in [quiet.runnerTemp, leaked.runnerTemp, allowed.runnerTemp] { try? FileManager.default.removeItem(atPath: temp) }
  }

  func testATarballThatDoesNotMatchItsChecksumIsNotInstalled() throws {
    let tarball = try ReleasePackageTests.dist(".tar.gz")
    let forged = try CLI.temporaryFolder("forged-release")
    defer { try? FileManager.default.removeItem(at: forged) }
    var bytes = try Data(contentsOf: tarball)
    bytes[bytes.count / 2] ^= 0xFF
    try bytes.write(to: forged.appendingPathComponent(tarball.lastPathComponent))
    try FileManager.default.copyItem(
      at: tarball.deletingLastPathComponent().appendingPathComponent("SHA256SUMS"), to: forged.appendingPathComponent("SHA256SUMS"))
    let server = try Self.serve(forged)
    defer { server.stop() }
    let repo = try GitFixture("action-forged")
    try repo.commit("clean", files: ["README.md": "hi\n"])
    let run = try Self.runAction(
      in: repo.root, inputs: ["release-url": server.url], github: Self.push)
    defer { try? FileManager.default.removeItem(atPath: run.runnerTemp) }
    XCTAssertEqual(run.outcome("Install djsec"), "failure")
    XCTAssertTrue(run.log.contains("does not match its SHA-256"), run.log)
    XCTAssertEqual(run.outcome("Run djsec"), "skipped")
    XCTAssertFalse(FileManager.default.fileExists(atPath: run.runnerTemp + "/djsec-bin/djsec"), "nothing was installed")

    // A tarball that matches its checksum but whose djsec is a link to another file.
    let name = String(tarball.lastPathComponent.dropLast(".tar.gz".count))
    let staging = forged.appendingPathComponent("staging")
    try FileManager.default.createDirectory(at: staging.appendingPathComponent(name), withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(
      atPath: staging.appendingPathComponent("\(name)/djsec").path, withDestinationPath: "/etc/hostname")
    let tar = try CLI.run(
      URL(fileURLWithPath: "/usr/bin/tar"),
      ["-czf", forged.appendingPathComponent(tarball.lastPathComponent).path, "-C", staging.path, name])
    XCTAssertEqual(tar.status, 0, tar.stderr)
    let sum = try CLI.run(URL(fileURLWithPath: "/usr/bin/sha256sum"), [tarball.lastPathComponent], in: forged)
    try sum.stdout.write(to: forged.appendingPathComponent("SHA256SUMS"), atomically: true, encoding: .utf8)
    let link = try Self.runAction(
      in: repo.root, inputs: ["release-url": server.url], github: Self.push)
    defer { try? FileManager.default.removeItem(atPath: link.runnerTemp) }
    XCTAssertEqual(link.outcome("Install djsec"), "failure")
    XCTAssertTrue(link.log.contains("holds no djsec program"), link.log)

    for (input, value, message) in [
      ("version", "0.1.0;id", "version must be latest or look like 0.1.0"),
      ("release-url", "http://example.com/releases", "release-url must be https"),
    ] {
      let bad = try Self.runAction(in: repo.root, inputs: [input: value], github: ["event_name": "push", "action_repository": "x/djsec"])
      defer { try? FileManager.default.removeItem(atPath: bad.runnerTemp) }
      XCTAssertEqual(bad.outcome("Install djsec"), "failure")
      XCTAssertTrue(bad.log.contains(message), bad.log)
    }
  }

  func testTheWheelFromTheReleaseOrAnIndexAndAShallowCheckoutThatIsRefused() throws {
    let wheel = try ReleasePackageTests.dist(".whl")
    let server = try Self.serve(wheel.deletingLastPathComponent())
    defer { server.stop() }
    let repo = try GitFixture("action-pip")
    try repo.commit("one", files: ["README.md": "hi\n"])
    try repo.commit("two", files: ["README.md": "hi again\n"])
    let push = Self.push
    let fromRelease = try Self.runAction(
      in: repo.root, inputs: ["install": "wheel", "sarif": "false", "release-url": server.url], github: push)
    defer { try? FileManager.default.removeItem(atPath: fromRelease.runnerTemp) }
    XCTAssertEqual(fromRelease.outcome("Install djsec"), "success", fromRelease.log)
    XCTAssertTrue(
      FileManager.default.fileExists(atPath: fromRelease.runnerTemp + "/djsec-venv/bin/djsec"), "installed by pip into its own virtualenv")
    XCTAssertEqual(fromRelease.output("Run djsec", "exit-code"), "0", fromRelease.log)
    XCTAssertEqual(fromRelease.uses.count, 0, "sarif: false uploads nothing")
    XCTAssertFalse(fromRelease.failed)

    // pip reads its options from the environment: here the index is dist/ alone.
    let index = ["PIP_NO_INDEX": "1", "PIP_FIND_LINKS": wheel.deletingLastPathComponent().path]
    let fromIndex = try Self.runAction(in: repo.root, inputs: ["install": "pypi", "sarif": "False"], github: push, environment: index)
    defer { try? FileManager.default.removeItem(atPath: fromIndex.runnerTemp) }
    XCTAssertEqual(fromIndex.outcome("Install djsec"), "success", fromIndex.log)
    XCTAssertEqual(fromIndex.output("Run djsec", "exit-code"), "0", fromIndex.log)
    XCTAssertEqual(fromIndex.uses.count, 0, "False is false")

    let shallow = try CLI.temporaryFolder("action-shallow")
    defer { try? FileManager.default.removeItem(at: shallow) }
    try CLI.git(["clone", "-q", "--depth", "1", "file://\(repo.root.path)", shallow.appendingPathComponent("c").path], in: shallow)
    let refused = try Self.runAction(
      in: shallow.appendingPathComponent("c"), inputs: ["install": "pypi", "sarif": "false"], github: push, environment: index)
    defer { try? FileManager.default.removeItem(atPath: refused.runnerTemp) }
    XCTAssertEqual(refused.outcome("Run djsec"), "failure")
    XCTAssertTrue(refused.log.contains("set fetch-depth: 0 on actions/checkout"), refused.log)
    XCTAssertEqual(refused.output("Run djsec", "exit-code"), "2")
  }

  func testTheWorkflowTemplateUsesTheAction() throws {
    let text = try String(contentsOf: CLI.packageRoot.appendingPathComponent("templates/github-secrets-scan.yml"), encoding: .utf8)
    XCTAssertFalse(text.contains("install djsec here"))
    XCTAssertNotNil(text.range(of: #"uses: [A-Za-z0-9-]+/djsec@v\d+\.\d+\.\d+"#, options: .regularExpression), text)
    let action = try String(contentsOf: CLI.packageRoot.appendingPathComponent("action.yml"), encoding: .utf8)
    // The action pins the djsec of its own commit: a pinned tag or commit pins the binary too.
    let version = try CLI.run(CLI.binary, ["--version"]).stdout.split(separator: " ").first.map(String.init) ?? "?"
    XCTAssertTrue(action.contains("  version:\n    description:"), "the version input")
    XCTAssertTrue(action.contains("    default: \"\(version)\"\n"), "action.yml installs djsec \(version) by default")
    XCTAssertTrue(text.contains("djsec/djsec@v\(version)"), "the template uses the action of this version")
    // Workflow values reach the scripts through env:, never spliced into them (script injection).
    for block in action.components(separatedBy: "run: |").dropFirst() {
      let script = block.components(separatedBy: "\n    - ").first ?? block
      XCTAssertFalse(script.contains("${{"), "an expression inside a run script: \(script.prefix(200))")
    }
  }
}
