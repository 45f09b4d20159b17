import DjsecTestSupport
import Foundation
import XCTest

/// What teams wire djsec into: the pre-commit framework (through the
/// repository's `.pre-commit-hooks.yaml`, run for real on a staged key) and
/// the GitHub Actions and GitLab CI templates (parsed as YAML, naming the
/// commands the docs promise).
final class CIIntegrationTests: XCTestCase {
  private let binFolder = CLI.binary.deletingLastPathComponent().path

  /// The pre-commit executable of the test virtualenv (requirements-test.txt);
  /// skipped without it only off CI.
  private func preCommit() throws -> URL {
    let url = try CLI.python().deletingLastPathComponent().appendingPathComponent("pre-commit")
    if FileManager.default.isExecutableFile(atPath: url.path) { return url }
    if ProcessInfo.processInfo.environment["CI"] == "true" {
      XCTFail("no pre-commit at \(url.path): run 'make venv'")
    }
    throw XCTSkip("no pre-commit at \(url.path): run 'make venv' to install requirements-test.txt")
  }

  /// Loads YAML with PyYAML (pre-commit's own dependency) and prints it as JSON.
  private func yaml(_ file: URL) throws -> Any {
    _ = try preCommit()
    let r = try CLI.run(
      try CLI.python(),
      ["-c", "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1])), default=str))", file.path])
    XCTAssertEqual(r.status, 0, "\(file.lastPathComponent) is not YAML: \(r.stderr)")
    return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8))
  }

  func testPreCommitFrameworkRefusesAStagedKey() throws {
    let tool = try preCommit()
    let hooks = try XCTUnwrap(try yaml(CLI.packageRoot.appendingPathComponent(".pre-commit-hooks.yaml")) as? [[String: Any]])
    let djsec = try XCTUnwrap(hooks.first { $0["id"] as? String == "djsec" })
    XCTAssertEqual(djsec["entry"] as? String, "djsec scan --staged")
    XCTAssertEqual(djsec["language"] as? String, "system")
    XCTAssertEqual(djsec["pass_filenames"] as? Bool, false)
    XCTAssertEqual(djsec["always_run"] as? Bool, true)

    let repo = try GitFixture("pre-commit-framework")
    try repo.commit("readme", files: ["README.md": "hi\n"])
    let home = try CLI.temporaryFolder("pre-commit-home")
    defer { try? FileManager.default.removeItem(at: home) }
    let env = ["PATH": "\(binFolder):/usr/local/bin:/usr/bin:/bin", "PRE_COMMIT_HOME": home.path]
    // try-repo reads the hook definitions from this checkout (its uncommitted changes too).
    let args = ["try-repo", CLI.packageRoot.path, "djsec"]

    try repo.write("CHANGES.md", "first release\n")
    try repo.git("add", "CHANGES.md")
    let clean = try CLI.run(tool, args, in: repo.root, environment: env)
    XCTAssertEqual(clean.status, 0, clean.stdout + clean.stderr)

    let key = SecretGenerator.make("django_key")!
    try repo.write("mysite/settings.py", "SECRET_KEY = '\(key)'\n")
    try repo.git("add", "mysite/settings.py")
    let refused = try CLI.run(tool, args, in: repo.root, environment: env)
    XCTAssertEqual(refused.status, 1, refused.stdout + refused.stderr)
    XCTAssertTrue(refused.stdout.contains("mysite/settings.py"), refused.stdout)
    XCTAssertFalse((refused.stdout + refused.stderr).contains(key), "the key is never printed")
  }

  func testGitHubWorkflowParsesAndScansHistoryOrThePullRequestRange() throws {
    let url = CLI.packageRoot.appendingPathComponent("templates/github-secrets-scan.yml")
    let doc = try XCTUnwrap(try yaml(url) as? [String: Any])
    // YAML 1.1 reads a bare `on` key as true; PyYAML does, GitHub does not.
    let triggers = try XCTUnwrap((doc["on"] ?? doc["true"]) as? [String: Any], "\(doc.keys)")
    XCTAssertNotNil(triggers["push"])
    XCTAssertNotNil(triggers["pull_request"])
    let jobs = try XCTUnwrap(doc["jobs"] as? [String: [String: Any]])
    let steps = try XCTUnwrap(jobs.values.first?["steps"] as? [[String: Any]])
    // The scan itself, its range on pull requests and the upload are the
    // action's (action.yml, run by GitHubActionTests).
    let djsec = try XCTUnwrap(steps.first { ($0["uses"] as? String)?.contains("/djsec@v") ?? false }, "\(steps)")
    XCTAssertEqual((djsec["with"] as? [String: Any])?["fail-on"] as? String, "medium")
    XCTAssertEqual(steps.compactMap { $0["run"] as? String }, [], "nothing to install or run by hand")
    let permissions = try XCTUnwrap(doc["permissions"] as? [String: String])
    XCTAssertEqual(permissions["security-events"], "write", "code scanning's upload needs it")
    let checkout = try XCTUnwrap(steps.first { ($0["uses"] as? String)?.hasPrefix("actions/checkout@") ?? false })
    XCTAssertEqual((checkout["with"] as? [String: Any])?["fetch-depth"] as? Int, 0, "the whole history")
  }

  func testGitLabJobParsesAndPublishesASecretDetectionReport() throws {
    let url = CLI.packageRoot.appendingPathComponent("templates/gitlab-secrets-scan.yml")
    let doc = try XCTUnwrap(try yaml(url) as? [String: Any])
    let job = try XCTUnwrap(doc.values.compactMap { $0 as? [String: Any] }.first { $0["script"] != nil }, "\(doc.keys)")
    let script = try XCTUnwrap(job["script"] as? [String]).joined(separator: "\n")
    XCTAssertTrue(script.contains("djsec scan"), script)
    XCTAssertTrue(script.contains("--format gitlab"), script)
    XCTAssertTrue(script.contains("$CI_MERGE_REQUEST_DIFF_BASE_SHA..$CI_COMMIT_SHA"), script)
    XCTAssertTrue(script.contains("--settings-from \"$CI_MERGE_REQUEST_DIFF_BASE_SHA\""), "the base's settings: \(script)")
    let reports = try XCTUnwrap((job["artifacts"] as? [String: Any])?["reports"] as? [String: Any])
    XCTAssertEqual(reports["secret_detection"] as? String, "gl-secret-detection-report.json")
    XCTAssertTrue(script.contains("gl-secret-detection-report.json"), script)
  }
}
