import Foundation
import XCTest

/// `djsec secret export --format F`: each format read back by its consumer's
/// own rules (a POSIX shell, python-dotenv, docker's --env-file rules, JSON)
/// gives every value exactly, however hostile; what a format cannot carry is
/// refused with one line naming the secret.
final class ExportTests: XCTestCase {
  private var work: URL!
  private var project: URL { work.appendingPathComponent("demo") }
  private var python: URL!

  /// Values that break naive quoting: quotes, backslashes, interpolation, comments, blanks, non-ASCII,
  /// and quotes or backslashes followed by a combining mark (one Character to Swift, so a
  /// Character-level replacement misses the quote, and the value escapes its quotes).
  private let values = [
    "QUOTES": "it's \"quoted\" ''", "BACKSLASH": "a\\b\\\\c\\'", "DOLLAR": "$HOME ${HOME} $(id) `id`", "HASH": "a #not a comment",
    "BLANKS": "  leading and trailing  ", "UNICODE": "ünïcødé ✓", "EQUALS": "a=b==c",
    "COMBINING": "it'\u{301}s $(id)'\u{301} \"\u{301} \\\u{301}' `id`\u{301}",
  ]

  override func setUpWithError() throws {
    python = try CLI.python()
    work = try CLI.startProject("export", python: python)
    try CLI.expect(["keys", "new"], in: project)
    for (name, value) in values { try CLI.expect(["secret", "set", name, "--stdin"], in: project, stdin: value) }
  }

  override func tearDownWithError() throws {
    if let work { try? FileManager.default.removeItem(at: work) }
  }

  private func exported(_ format: String) throws -> URL {
    let r = try CLI.expect(["secret", "export", "--format", format], in: project)
    let url = work.appendingPathComponent("export.\(format)")
    try Data(r.stdout.utf8).write(to: url)
    return url
  }

  /// The consumer's reading of the file, as JSON, through the test venv's python.
  private func read(_ code: String, _ file: URL) throws -> [String: String] {
    let r = try CLI.run(python, ["-c", code, file.path])
    XCTAssertEqual(r.status, 0, r.stderr)
    let all = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: String] ?? [:]
    return all.filter { values.keys.contains($0.key) }
  }

  func testEveryFormatReadsBackExactly() throws {
    let shellDump = "import json, os; print(json.dumps(dict(os.environ)))"
    // env: sourced by a POSIX shell with every assignment exported.
    let env = try exported("env")
    let sourced = try CLI.run(
      URL(fileURLWithPath: "/bin/sh"), ["-c", "set -a; . \"$1\"; exec \"$2\" -c \"$3\"", "sh", env.path, python.path, shellDump])
    XCTAssertEqual(sourced.status, 0, sourced.stderr)
    XCTAssertEqual(
      (try JSONSerialization.jsonObject(with: Data(sourced.stdout.utf8)) as? [String: String] ?? [:]).filter {
        values.keys.contains($0.key)
      },
      values)
    // shell: eval'd.
    let shell = try exported("shell")
    let evaluated = try CLI.run(
      URL(fileURLWithPath: "/bin/sh"), ["-c", "eval \"$(cat \"$1\")\"; exec \"$2\" -c \"$3\"", "sh", shell.path, python.path, shellDump])
    XCTAssertEqual(
      (try JSONSerialization.jsonObject(with: Data(evaluated.stdout.utf8)) as? [String: String] ?? [:]).filter {
        values.keys.contains($0.key)
      },
      values)
    // dotenv: python-dotenv, with its default interpolation on (which is why `${` is refused: see the other test).
    try CLI.expect(["secret", "rm", "DOLLAR"], in: project)
    XCTAssertEqual(
      try read("import json, sys; from dotenv import dotenv_values; print(json.dumps(dotenv_values(sys.argv[1])))", try exported("dotenv")),
      values.filter { $0.key != "DOLLAR" })
    try CLI.expect(["secret", "set", "DOLLAR", "--stdin"], in: project, stdin: values["DOLLAR"]!)
    // docker: docker's documented --env-file rules: blank-trimmed line start, # comments, NAME=value literally.
    let docker = """
      import json, sys
      out = {}
      for line in open(sys.argv[1], encoding='utf-8').read().split('\\n'):
          line = line.lstrip()
          if not line or line.startswith('#'):
              continue
          name, _, value = line.partition('=')
          out[name] = value
      print(json.dumps(out))
      """
    XCTAssertEqual(try read(docker, try exported("docker")), values)
    XCTAssertEqual(try read("import json, sys; print(json.dumps(json.load(open(sys.argv[1]))))", try exported("json")), values)
  }

  func testWhatAFormatCannotCarryIsRefused() throws {
    try CLI.expect(["secret", "set", "MULTILINE", "--stdin"], in: project, stdin: "line one\nline two")
    let r = try CLI.expect(["secret", "export", "--format", "docker"], in: project, status: 2)
    XCTAssertEqual(r.stdout, "")
    XCTAssertTrue(r.stderr.hasPrefix("djsec: error: MULTILINE holds a line break, which the docker format cannot carry"), r.stderr)
    XCTAssertFalse(r.stderr.contains("line one"))
    // dotenv carries a line break, but not `${`, which python-dotenv expands even in quotes.
    let dollar = try CLI.expect(["secret", "export", "--format", "dotenv"], in: project, status: 2)
    XCTAssertTrue(dollar.stderr.hasPrefix("djsec: error: DOLLAR holds '${'"), dollar.stderr)
    try CLI.expect(["secret", "rm", "DOLLAR"], in: project)
    // `${` whose brace carries a combining mark is still `${` to python-dotenv.
    try CLI.expect(["secret", "set", "MARKED", "--stdin"], in: project, stdin: "a${\u{301}HOME}b")
    let marked = try CLI.expect(["secret", "export", "--format", "dotenv"], in: project, status: 2)
    XCTAssertTrue(marked.stderr.hasPrefix("djsec: error: MARKED holds '${'"), marked.stderr)
    try CLI.expect(["secret", "rm", "MARKED"], in: project)
    let dotenv = try read(
      "import json, sys; from dotenv import dotenv_values; print(json.dumps(dotenv_values(sys.argv[1])))", try exported("dotenv"))
    XCTAssertEqual(dotenv.count, values.count - 1)
    let unknown = try CLI.expect(["secret", "export", "--format", "yaml"], in: project, status: 2)
    XCTAssertTrue(unknown.stderr.contains("unknown format yaml: use env, shell, dotenv, docker, json, systemd\n"), unknown.stderr)
  }
}
