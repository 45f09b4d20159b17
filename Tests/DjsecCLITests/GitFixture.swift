import Foundation
import XCTest

/// A real git repository in a temporary folder, with fixed commit dates so
/// attribution ("the earliest commit") is deterministic.
final class GitFixture {
  let root: URL
  private var clock = 1_700_000_000

  init(_ name: String) throws {
    root = try CLI.temporaryFolder(name)
    try git("init", "-q", "-b", "main")
  }

  deinit { try? FileManager.default.removeItem(at: root) }

  @discardableResult
  func git(_ arguments: String...) throws -> String {
    try gitArgs(arguments)
  }

  @discardableResult
  func gitArgs(_ arguments: [String], stdin: String? = nil) throws -> String {
    let date = "\(clock) +0000"
    let r = try CLI.run(
      URL(fileURLWithPath: "/usr/bin/git"), arguments, in: root, stdin: stdin,
      environment: [
        "GIT_AUTHOR_NAME": "Dev", "GIT_AUTHOR_EMAIL": "dev@example.invalid", "GIT_COMMITTER_NAME": "Dev",
        "GIT_COMMITTER_EMAIL": "dev@example.invalid", "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date,
      ])
    guard r.status == 0 else { throw FixtureError(message: "git \(arguments.joined(separator: " ")): \(r.stderr)") }
    return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  struct FixtureError: Error { let message: String }

  func write(_ path: String, _ content: String) throws {
    try write(path, Data(content.utf8))
  }

  func write(_ path: String, _ data: Data) throws {
    let url = root.appendingPathComponent(path)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try data.write(to: url)
  }

  /// Commits everything in the work tree; returns the commit id. Each commit is one hour after the last.
  @discardableResult
  func commit(_ message: String, files: [String: String] = [:], delete: [String] = []) throws -> String {
    for (path, content) in files { try write(path, content) }
    for path in delete { try git("rm", "-q", path) }
    clock += 3600
    try git("add", "-A")
    try git("commit", "-q", "--allow-empty", "-m", message)
    return try git("rev-parse", "HEAD")
  }

  /// A scan of this repository as JSON, with secrets shown.
  func scan(_ extra: [String] = []) throws -> (status: Int32, findings: [[String: Any]], stderr: String) {
    let r = try CLI.djsec(["scan", root.path, "--format", "json", "--show-secrets"] + extra)
    if r.stdout.isEmpty { throw FixtureError(message: "djsec scan wrote no report (exit \(r.status)): \(r.stderr)") }
    let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
    return (r.status, object?["findings"] as? [[String: Any]] ?? [], r.stderr)
  }
}
