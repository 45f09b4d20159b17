import Foundation
import XCTest

/// docs/deploy.md as a user follows it: its LoadCredential= script, taken
/// from the page and run with `sh`, writes files that its settings snippet,
/// also taken from the page, reads back exactly (compared by digest); and
/// every `djsec` command the page shows exists with the flags it shows. The
/// page cannot drift from what djsec does.
final class DeployDocsTests: XCTestCase {
  private var work: URL!
  private var project: URL { work.appendingPathComponent("demo") }
  private var python: URL!
  private static let page = CLI.packageRoot.appendingPathComponent("docs/deploy.md")

  /// Values a credential file must keep byte for byte: a final line break, Windows line ends
  /// (which Python's text mode would translate), blanks at both ends, quotes, non-ASCII.
  private let values = [
    "DB_PASSWORD": "it's \"quoted\" $HOME\n", "CRLF": "one\r\ntwo\r\n", "BLANKS": "  both ends  ", "UNICODE": "ünïcødé ✓",
  ]

  override func setUpWithError() throws {
    python = try CLI.python()
    work = try CLI.startProject("deploy-docs", python: python)
    try CLI.git(["init", "-q"], in: project)
    try CLI.expect(["init", ".", "--host", "example.com"], in: project)
    // `secret set --stdin` drops one final line break: add one.
    for (name, value) in values { try CLI.expect(["secret", "set", name, "--stdin"], in: project, stdin: value + "\n") }
  }

  override func tearDownWithError() throws {
    if let work { try? FileManager.default.removeItem(at: work) }
  }

  /// The fenced block after the `<!-- tested ...: id -->` marker.
  private func block(_ id: String) throws -> String {
    let lines = try String(contentsOf: Self.page, encoding: .utf8).components(separatedBy: "\n")
    let marker = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("<!-- tested") && $0.hasSuffix(": \(id) -->") }, "no marker \(id)")
    let open = try XCTUnwrap(lines[marker...].firstIndex { $0.hasPrefix("```") })
    let close = try XCTUnwrap(lines[(open + 1)...].firstIndex { $0.hasPrefix("```") })
    return lines[(open + 1)..<close].joined(separator: "\n") + "\n"
  }

  func testTheLoadCredentialScriptWritesWhatTheSettingsSnippetReadsBack() throws {
    let credentials = work.appendingPathComponent("credstore/mysite")
    let path = CLI.binary.deletingLastPathComponent().path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
    let ran = try CLI.run(
      URL(fileURLWithPath: "/bin/sh"), ["-c", try block("credentials-script"), "sh", credentials.path], in: project,
      environment: ["PATH": path])
    XCTAssertEqual(ran.status, 0, ran.stderr)

    let names = try CLI.expect(["secret", "list"], in: project).stdout.split(separator: "\n").map(String.init)
    XCTAssertEqual(Set(names), Set(values.keys).union(["SECRET_KEY"]))
    let files = try FileManager.default.contentsOfDirectory(atPath: credentials.path)
    XCTAssertEqual(Set(files), Set(names), "one file per secret, no temporary file left")
    XCTAssertEqual(try mode(credentials), 0o700)
    for file in files { XCTAssertEqual(try mode(credentials.appendingPathComponent(file)), 0o600, file) }

    // What systemd hands the service for LoadCredential=djsec:FOLDER, by the rule systemd.exec(5)
    // states (no systemd runs here): each file FILE of FOLDER as the credential djsec_FILE.
    let handed = work.appendingPathComponent("credentials")
    try FileManager.default.createDirectory(at: handed, withIntermediateDirectories: false)
    for file in files {
      try FileManager.default.copyItem(at: credentials.appendingPathComponent(file), to: handed.appendingPathComponent("djsec_" + file))
    }

    // What the page's settings snippet reads, against what the store holds
    // (SECRET_KEY as `djsec export --format json` gives it), by digest.
    let exported = try JSONSerialization.jsonObject(with: Data(try CLI.expect(["export", "--format", "json"], in: project).stdout.utf8))
    var expected = try XCTUnwrap(exported as? [String: String])
    XCTAssertEqual(expected.filter { $0.key != "SECRET_KEY" }.count, values.count)
    for (name, value) in values where expected[name] != value { XCTFail("\(name) is not stored as set") }
    expected = expected.merging(values) { $1 }
    let reader = """
      import hashlib, json, sys
      DATABASES = {"default": {}}
      \(try block("credentials-reader"))
      digest = lambda text: hashlib.sha256(text.encode("utf-8")).hexdigest()
      want = json.load(sys.stdin)
      print(json.dumps({
          "got": {name: digest(credential(name)) for name in want},
          "want": {name: digest(value) for name, value in want.items()},
          "settings": [digest(SECRET_KEY), digest(DATABASES["default"]["PASSWORD"])],
      }))
      """
    let read = try CLI.run(
      python, ["-c", reader], stdin: String(decoding: try JSONSerialization.data(withJSONObject: expected), as: UTF8.self),
      environment: ["CREDENTIALS_DIRECTORY": handed.path])
    XCTAssertEqual(read.status, 0, read.stderr)
    let digests = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(read.stdout.utf8)) as? [String: Any])
    let got = try XCTUnwrap(digests["got"] as? [String: String])
    let want = try XCTUnwrap(digests["want"] as? [String: String])
    XCTAssertEqual(got, want)
    XCTAssertEqual(digests["settings"] as? [String], [want["SECRET_KEY"], want["DB_PASSWORD"]].compactMap { $0 })

    // Run again (a deploy after a change): the files are replaced, not appended to.
    try CLI.expect(["secret", "set", "BLANKS", "--stdin"], in: project, stdin: "changed")
    XCTAssertEqual(
      try CLI.run(
        URL(fileURLWithPath: "/bin/sh"), ["-c", try block("credentials-script"), "sh", credentials.path], in: project,
        environment: ["PATH": path]
      ).status, 0)
    XCTAssertEqual(try Data(contentsOf: credentials.appendingPathComponent("BLANKS")), Data("changed".utf8))
  }

  /// Every `djsec SUBCOMMAND ...` in the page's code blocks names a real
  /// command, with flags (and --format values) its help lists.
  func testEveryDjsecCommandOnThePageExists() throws {
    var inBlock = false
    var checked = 0
    for line in try String(contentsOf: Self.page, encoding: .utf8).components(separatedBy: "\n") {
      if line.hasPrefix("```") {
        inBlock.toggle()
        continue
      }
      guard inBlock else { continue }
      for command in Self.commands(in: line) {
        try check(command, line: line)
        checked += 1
      }
    }
    XCTAssertGreaterThan(checked, 10)
  }

  /// The words after each `djsec` on a line (comments cut off), up to where the shell command ends.
  static func commands(in line: String) -> [[String]] {
    let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init).prefix { !$0.hasPrefix("#") }
    var out: [[String]] = []
    for (i, word) in words.enumerated() where word == "djsec" || word == "'djsec" {
      var command: [String] = []
      for next in words.dropFirst(i + 1) {
        if ["|", "&&", ";", ">", "--"].contains(next) { break }
        command.append(next.trimmingCharacters(in: CharacterSet(charactersIn: "'\"")))
        if next.hasSuffix("'") || next.hasSuffix("\"") { break }
      }
      out.append(command)
    }
    return out
  }

  private func check(_ command: [String], line: String) throws {
    var path: [String] = []
    var help = ""
    for word in command.prefix(while: { $0.range(of: "^[a-z][a-z-]*$", options: .regularExpression) != nil }) {
      let r = try CLI.djsec(["help"] + path + [word])
      guard r.stdout.contains("USAGE: djsec \((path + [word]).joined(separator: " "))") else { break }
      path.append(word)
      help = r.stdout
    }
    XCTAssertFalse(path.isEmpty, "not a djsec command: \(line)")
    for (i, word) in command.enumerated() where word.hasPrefix("--") {
      let flag = String(word.prefix { $0 != "=" })
      XCTAssertTrue(help.contains(flag + " ") || help.contains(flag + "\n"), "djsec \(path.joined(separator: " ")) has no \(flag): \(line)")
      if flag == "--format", i + 1 < command.count {
        XCTAssertTrue(help.contains(command[i + 1]), "no format \(command[i + 1]): \(line)")
      }
    }
  }

  private func mode(_ url: URL) throws -> Int {
    try XCTUnwrap(FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int)
  }
}
