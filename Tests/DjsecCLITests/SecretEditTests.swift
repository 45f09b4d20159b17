import DjsecTestSupport
import Foundation
import XCTest

#if canImport(Glibc)
  import Glibc
#endif

/// `djsec secret edit` driven as a user would: the built binary on a real
/// Django project, with a shell script as the editor, signals sent with
/// kill, and other djsec commands running meanwhile. TMPDIR (and, where
/// said, XDG_RUNTIME_DIR) point into the test's folder so a plaintext copy
/// left behind is seen.
final class SecretEditTests: XCTestCase {
  private var work: URL!
  private var project: URL { work.appendingPathComponent("demo") }
  private var tmp: URL { work.appendingPathComponent("tmp") }
  private var store: URL { project.appendingPathComponent("secrets.djsec") }
  private var editorPids: [pid_t] = []

  override func setUpWithError() throws {
    work = try CLI.startProject("edit", python: try CLI.python())
    try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
    try djsec(["keys", "new", "--name", "alice"])
    try djsec(["secret", "set", "TOKEN", "--stdin"], stdin: "t0k3n")
  }

  override func tearDownWithError() throws {
    for pid in editorPids { kill(pid, SIGKILL) }
    if let work { try? FileManager.default.removeItem(at: work) }
  }

  // MARK: 1. signals and stale copies

  func testSigtermAndSighupRemoveTheCopyAndEndDjsecWithTheSignal() throws {
    for signal in [SIGTERM, SIGHUP] {
      let ready = work.appendingPathComponent("ready-\(signal)")
      let editor = try script("sleeping-\(signal)", sleepingEditor(ready: ready))
      let before = CLI.snapshot(project)
      let edit = try start(["secret", "edit"], env: ["EDITOR": editor.path, "TMPDIR": tmp.path])
      let (editorPid, copy) = try waitForEditor(ready)
      XCTAssertTrue(FileManager.default.fileExists(atPath: copy), "the editor should have a copy open")
      kill(edit.process.processIdentifier, signal)
      try finish(edit.process)
      XCTAssertEqual(edit.process.terminationReason, .uncaughtSignal, "djsec should end with signal \(signal)")
      XCTAssertEqual(edit.process.terminationStatus, signal)
      XCTAssertEqual(leftovers(in: tmp), [], "plaintext copy left behind after signal \(signal)")
      XCTAssertEqual(CLI.snapshot(project), before)
      XCTAssertTrue(kill(editorPid, 0) != 0 && errno == ESRCH, "djsec should have ended the editor it started")
    }
  }

  func testCtrlCInTheEditorStillEndsWithTheCopyRemoved() throws {
    let ready = work.appendingPathComponent("ready")
    let editor = try script("sleeping", sleepingEditor(ready: ready))
    let before = CLI.snapshot(project)
    let edit = try start(["secret", "edit"], env: ["EDITOR": editor.path, "TMPDIR": tmp.path])
    let (editorPid, _) = try waitForEditor(ready)
    // Ctrl-C at a terminal reaches djsec and the editor (one process group):
    // djsec lets the editor decide, and cleans up once the editor is gone.
    kill(edit.process.processIdentifier, SIGINT)
    usleep(300_000)
    XCTAssertTrue(edit.process.isRunning, "djsec must not die of Ctrl-C while the editor is open")
    kill(editorPid, SIGINT)
    try finish(edit.process)
    XCTAssertEqual(edit.process.terminationReason, .uncaughtSignal)
    XCTAssertEqual(edit.process.terminationStatus, SIGINT)
    XCTAssertEqual(leftovers(in: tmp), [])
    XCTAssertEqual(CLI.snapshot(project), before)
  }

  func testTheCopyOfAKilledDjsecIsSweptByTheNextEdit() throws {
    let ready = work.appendingPathComponent("ready")
    let editor = try script("sleeping", sleepingEditor(ready: ready))
    let edit = try start(["secret", "edit"], env: ["EDITOR": editor.path, "TMPDIR": tmp.path])
    let (editorPid, _) = try waitForEditor(ready)
    kill(edit.process.processIdentifier, SIGKILL)
    // The orphaned editor goes too (Foundation sees a child end only when
    // every process that inherited its descriptors has).
    kill(editorPid, SIGKILL)
    try finish(edit.process)
    XCTAssertEqual(leftovers(in: tmp).count, 1, "kill -9 leaves the copy: nothing can catch it")
    // Folders that are not a dead djsec's copy stay: a live pid (this test's), another name.
    let live = tmp.appendingPathComponent("djsec-edit-\(getpid())-keepme")
    let other = tmp.appendingPathComponent("djsec-edit-notapid")
    for folder in [live, other] { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
    let r = try djsec(["secret", "edit"], env: ["EDITOR": "true", "TMPDIR": tmp.path])
    XCTAssertEqual(r.stderr, "")
    XCTAssertEqual(leftovers(in: tmp), [live.lastPathComponent, other.lastPathComponent].sorted())
  }

  func testTheCopyIsPrivateAndLivesInXdgRuntimeDir() throws {
    let runtime = work.appendingPathComponent("run")
    try FileManager.default.createDirectory(at: runtime, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    let info = work.appendingPathComponent("info")
    let editor = try script(
      "stat",
      "#!/bin/sh\nd=$(dirname \"$1\")\nprintf '%s %s %s' \"$(dirname \"$d\")\" \"$(stat -c %a \"$d\")\" \"$(stat -c %a \"$1\")\" > '\(info.path)'\n"
    )
    try djsec(["secret", "edit"], env: ["EDITOR": editor.path, "TMPDIR": tmp.path, "XDG_RUNTIME_DIR": runtime.path])
    XCTAssertEqual(try String(contentsOf: info, encoding: .utf8), "\(runtime.path) 700 600")
    XCTAssertEqual(leftovers(in: runtime), [])
    XCTAssertEqual(leftovers(in: tmp), [])
  }

  // MARK: 2, 3. errors in the copy

  func testAnErrorGivesTheLineNumberNeverTheLineText() throws {
    let pasted = "0" + SecretGenerator.make("aws_secret")!
    let seen = work.appendingPathComponent("seen")
    // First run: a value pasted where a name goes. Later runs save the copy as they got it.
    let editor = try script(
      "paste",
      """
      #!/bin/sh
      if [ ! -e '\(seen.path)' ]; then echo '\(pasted)=x' >> "$1"; fi
      cp "$1" '\(seen.path)'
      """)
    let before = CLI.snapshot(project)
    let r = try CLI.run(CLI.binary, ["secret", "edit"], in: project, environment: ["EDITOR": editor.path, "TMPDIR": tmp.path])
    // Failure messages show stderr with the pasted value masked.
    let shown = r.stderr.replacingOccurrences(of: pasted.dropFirst(), with: "<pasted value>")
    XCTAssertEqual(r.status, 2, shown)
    let lines = try String(contentsOf: seen, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
    let number = try XCTUnwrap(lines.firstIndex { $0.hasPrefix(pasted) }) + 1
    XCTAssertTrue(r.stderr.hasPrefix("djsec: error: the edited copy, line \(number): the name is not valid"), shown)
    XCTAssertFalse(r.stderr.contains(pasted.dropFirst()), "a pasted value reached the terminal: \(shown)")
    XCTAssertFalse(lines.filter { $0.hasPrefix("#") }.joined().contains(pasted.dropFirst()))
    XCTAssertEqual(CLI.snapshot(project), before)
    XCTAssertEqual(leftovers(in: tmp), [])
  }

  func testAnErrorReopensTheEditorWithTheMessageOnTopAndTheFixIsApplied() throws {
    let count = work.appendingPathComponent("count")
    let second = work.appendingPathComponent("second")
    let editor = try script(
      "fix",
      """
      #!/bin/sh
      echo x >> '\(count.path)'
      if [ "$(wc -l < '\(count.path)')" -eq 1 ]; then
        sed -i 's/^TOKEN=.*/TOKEN=edited/' "$1"
        echo 'ADDED="two words"' >> "$1"
        echo 'a line without an equals sign' >> "$1"
      else
        cp "$1" '\(second.path)'
        sed -i '/^a line without/d' "$1"
      fi
      """)
    try djsec(["secret", "edit"], env: ["EDITOR": editor.path, "TMPDIR": tmp.path])
    XCTAssertEqual(try String(contentsOf: count, encoding: .utf8), "x\nx\n", "the editor should run twice")
    let reopened = try String(contentsOf: second, encoding: .utf8).split(separator: "\n").map(String.init)
    let bad = try XCTUnwrap(reopened.firstIndex(of: "a line without an equals sign")) + 1
    XCTAssertEqual(reopened.first, "# djsec: error on line \(bad): expected NAME=value")
    XCTAssertTrue(reopened[1].hasPrefix("# djsec: fix it and save"), reopened[1])
    // The user's other edits were kept through the reopening.
    XCTAssertTrue(reopened.contains("TOKEN=edited") && reopened.contains("ADDED=\"two words\""))
    XCTAssertEqual(try djsec(["secret", "export", "--format", "env"]).stdout, "ADDED='two words'\nTOKEN='edited'\n")
    XCTAssertEqual(leftovers(in: tmp), [])
  }

  func testAbortingChangesNothingByteForByte() throws {
    let count = work.appendingPathComponent("count")
    let aborts = [
      ("emptied", "#!/bin/sh\nsed -i 's/^TOKEN=.*/TOKEN=x/' \"$1\"\n: > \"$1\"\n", Int32(1)),
      ("quit with an error", "#!/bin/sh\nsed -i 's/^TOKEN=.*/TOKEN=x/' \"$1\"\nexit 3\n", 2),
      (
        "emptied after an error",
        "#!/bin/sh\necho x >> '\(count.path)'\nif [ \"$(wc -l < '\(count.path)')\" -eq 1 ]; then echo oops >> \"$1\"; else : > \"$1\"; fi\n",
        1
      ),
    ]
    for (name, body, status) in aborts {
      let editor = try script(name.replacingOccurrences(of: " ", with: "-"), body)
      let before = CLI.snapshot(project)
      let r = try djsec(["secret", "edit"], env: ["EDITOR": editor.path, "TMPDIR": tmp.path], status: status)
      XCTAssertTrue(r.stderr.contains("nothing was changed"), "\(name): \(r.stderr)")
      XCTAssertEqual(CLI.snapshot(project), before, name)
      XCTAssertEqual(leftovers(in: tmp), [], name)
      if status == 2 {
        XCTAssertTrue(r.stderr.contains("'djsec secret edit'"), r.stderr)
        XCTAssertFalse(r.stderr.contains("'djsec edit'"), r.stderr)
      }
    }
  }

  // MARK: 4. values that are not UTF-8

  func testValuesThatAreNotUTF8RoundTripByteForByte() throws {
    let binary: [UInt8] = [0xff, 0xfe, 0x00, 0x61, 0xc3, 0x28, 0x80]
    XCTAssertEqual(try raw(["secret", "set", "BINARY", "--stdin"], stdin: Data(binary)).status, 0)
    try djsec(["secret", "set", "LOOKS_ENCODED", "--stdin"], stdin: "base64:QUJD")
    let seen = work.appendingPathComponent("seen")
    let editor = try script(
      "binary",
      """
      #!/bin/sh
      cp "$1" '\(seen.path)'
      sed -i 's/^TOKEN=.*/TOKEN=edited/' "$1"
      echo 'NEW=base64:AAEC/w==' >> "$1"
      """)
    let binaryLine = try storeLine("BINARY")
    try djsec(["secret", "edit"], env: ["EDITOR": editor.path, "TMPDIR": tmp.path])
    let copy = try String(contentsOf: seen, encoding: .utf8).split(separator: "\n").map(String.init)
    XCTAssertTrue(copy.contains("BINARY=base64:\(Data(binary).base64EncodedString())"), copy.joined(separator: "\n"))
    XCTAssertTrue(copy.contains("LOOKS_ENCODED=\"base64:QUJD\""))
    XCTAssertTrue(copy.contains { $0.hasPrefix("#") && $0.contains("base64:") && $0.contains("not UTF-8") })
    XCTAssertEqual(try raw(["secret", "get", "BINARY"]).stdout, Data(binary + [10]))
    XCTAssertEqual(try storeLine("BINARY"), binaryLine, "an unchanged value keeps its ciphertext")
    XCTAssertEqual(try djsec(["secret", "get", "LOOKS_ENCODED"]).stdout, "base64:QUJD\n")
    XCTAssertEqual(try raw(["secret", "get", "NEW"]).stdout, Data([0, 1, 2, 255, 10]))
    XCTAssertEqual(try djsec(["secret", "get", "TOKEN"]).stdout, "edited\n")
  }

  // MARK: 5. confirmations

  func testAnEmptyValueOrRemovingSecretKeyNeedsATerminalOrYes() throws {
    try djsec(["secret", "set", "SECRET_KEY", "--stdin"], stdin: SecretGenerator.make("django_key")!)
    let empty = try script("empty", "#!/bin/sh\nsed -i 's/^TOKEN=.*/TOKEN=/' \"$1\"\n")
    let noKey = try script("nokey", "#!/bin/sh\nsed -i '/^SECRET_KEY=/d' \"$1\"\n")
    for (editor, change) in [(empty, "sets an empty value for TOKEN"), (noKey, "removes SECRET_KEY")] {
      let before = CLI.snapshot(project)
      let r = try withoutTerminal(["secret", "edit"], env: ["EDITOR": editor.path, "TMPDIR": tmp.path])
      XCTAssertEqual(r.status, 2, r.stderr)
      let lines = r.stderr.split(separator: "\n").map(String.init)
      XCTAssertEqual(lines.count, 2, r.stderr)
      let (error, hint) = (lines.first ?? "", lines.dropFirst().first ?? "")
      XCTAssertTrue(error.hasPrefix("djsec: error: the edit \(change)") && error.contains("no terminal"), r.stderr)
      XCTAssertTrue(hint.hasPrefix("djsec: hint: ") && hint.contains("--yes"), r.stderr)
      XCTAssertEqual(CLI.snapshot(project), before)
      XCTAssertEqual(leftovers(in: tmp), [])
    }
    for editor in [empty, noKey] {
      let r = try withoutTerminal(["secret", "edit", "--yes"], env: ["EDITOR": editor.path, "TMPDIR": tmp.path])
      XCTAssertEqual(r.status, 0, r.stderr)
    }
    XCTAssertEqual(try djsec(["secret", "get", "TOKEN"]).stdout, "\n")
    XCTAssertEqual(try djsec(["secret", "list"]).stdout, "TOKEN\n")
  }

  // MARK: 6. the lock

  func testAnotherWriterNeedNotWaitForTheEditorAndTheEditThenRefuses() throws {
    let status = work.appendingPathComponent("status")
    let editor = try script(
      "concurrent",
      """
      #!/bin/sh
      printf other | timeout 5 '\(CLI.binary.path)' secret set OTHER --stdin
      echo $? > '\(status.path)'
      sed -i 's/^TOKEN=.*/TOKEN=edited/' "$1"
      """)
    let r = try djsec(["secret", "edit"], env: ["EDITOR": editor.path, "TMPDIR": tmp.path], status: 2)
    XCTAssertEqual(try String(contentsOf: status, encoding: .utf8), "0\n", "secret set had to wait for the editor")
    XCTAssertEqual(
      r.stderr,
      """
      djsec: error: secrets.djsec changed while you were editing (another djsec command, a git checkout or a merge wrote it); \
      nothing was written
      djsec: hint: run 'djsec secret edit' again to edit the current secrets

      """)
    XCTAssertEqual(try djsec(["secret", "export", "--format", "env"]).stdout, "OTHER='other'\nTOKEN='t0k3n'\n")
    XCTAssertEqual(leftovers(in: tmp), [])
  }

  func testWaitingForTheLockIsSaidOnceWithTheHolder() throws {
    let fd = open(project.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    XCTAssertGreaterThanOrEqual(fd, 0)
    XCTAssertEqual(flock(fd, LOCK_EX), 0)
    let set = try start(["secret", "set", "LATE", "--stdin"], env: [:], stdin: Data("late".utf8))
    // Well over the second djsec waits in silence, even on a busy machine.
    usleep(3_000_000)
    flock(fd, LOCK_UN)
    close(fd)
    try finish(set.process)
    XCTAssertEqual(set.process.terminationStatus, 0)
    XCTAssertEqual(
      try String(contentsOf: set.stderr, encoding: .utf8), "djsec: waiting for the lock on secrets.djsec held by pid \(getpid())\n")
    XCTAssertEqual(try djsec(["secret", "get", "LATE"]).stdout, "late\n")
  }

  // MARK: helpers

  @discardableResult
  private func djsec(
    _ args: [String], stdin: String? = nil, env: [String: String] = [:], status: Int32 = 0, file: StaticString = #filePath,
    line: UInt = #line
  ) throws -> Run {
    try CLI.expect(args, in: project, stdin: stdin, env: env, status: status, file: file, line: line)
  }

  /// djsec in a new session, so it has no controlling terminal even when the
  /// tests run in one: /dev/tty cannot be opened.
  private func withoutTerminal(_ args: [String], env: [String: String]) throws -> Run {
    try CLI.run(URL(fileURLWithPath: "/usr/bin/setsid"), ["-w", CLI.binary.path] + args, in: project, environment: env)
  }

  /// djsec with raw bytes in and out (values that are not UTF-8).
  private func raw(_ args: [String], stdin: Data = Data()) throws -> (status: Int32, stdout: Data) {
    let started = try start(args, env: [:], stdin: stdin)
    try finish(started.process)
    return (started.process.terminationStatus, try Data(contentsOf: started.stdout))
  }

  /// djsec started in the background (to signal it), with the test's XDG
  /// folders as `CLI.run` sets them; output goes to files.
  private func start(_ args: [String], env: [String: String], stdin: Data? = nil) throws -> (
    process: Process, stdout: URL, stderr: URL
  ) {
    let process = Process()
    process.executableURL = CLI.binary
    process.arguments = args
    process.currentDirectoryURL = project
    var environment = ProcessInfo.processInfo.environment
    environment["XDG_STATE_HOME"] = CLI.testHome.appendingPathComponent("state").path
    environment["XDG_CONFIG_HOME"] = CLI.testHome.appendingPathComponent("config").path
    environment["XDG_RUNTIME_DIR"] = nil
    environment.merge(env) { $1 }
    process.environment = environment
    let id = UUID().uuidString
    let out = work.appendingPathComponent("out-\(id)")
    let err = work.appendingPathComponent("err-\(id)")
    for url in [out, err] { _ = FileManager.default.createFile(atPath: url.path, contents: nil) }
    process.standardOutput = try FileHandle(forWritingTo: out)
    process.standardError = try FileHandle(forWritingTo: err)
    let input = Pipe()
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(stdin) }
    try input.fileHandleForWriting.close()
    return (process, out, err)
  }

  /// Waits for a background djsec, killing it (and failing) after 20 seconds.
  private func finish(_ process: Process, file: StaticString = #filePath, line: UInt = #line) throws {
    let deadline = Date().addingTimeInterval(20)
    while process.isRunning && Date() < deadline { usleep(20_000) }
    if process.isRunning {
      kill(process.processIdentifier, SIGKILL)
      XCTFail("djsec did not end", file: file, line: line)
    }
    process.waitUntilExit()
  }

  /// An editor that says where it is (its pid, which `exec` keeps, and the
  /// copy's path) and then waits to be signalled.
  private func sleepingEditor(ready: URL) -> String {
    "#!/bin/sh\nexec >/dev/null 2>&1\necho \"$$ $1\" > '\(ready.path).part'\nmv '\(ready.path).part' '\(ready.path)'\nexec sleep 30\n"
  }

  private func waitForEditor(_ ready: URL) throws -> (pid: pid_t, copy: String) {
    let deadline = Date().addingTimeInterval(20)
    while !FileManager.default.fileExists(atPath: ready.path) && Date() < deadline { usleep(20_000) }
    let text = try String(contentsOf: ready, encoding: .utf8).trimmingCharacters(in: .newlines)
    let parts = text.split(separator: " ", maxSplits: 1).map(String.init)
    let pid = try XCTUnwrap(pid_t(parts[0]))
    editorPids.append(pid)
    return (pid, parts[1])
  }

  private func script(_ name: String, _ body: String) throws -> URL {
    let url = work.appendingPathComponent("editor-\(name).sh")
    try body.write(to: url, atomically: true, encoding: .utf8)
    chmod(url.path, 0o755)
    return url
  }

  private func leftovers(in folder: URL) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasPrefix("djsec-edit") }.sorted()
  }

  private func storeLine(_ name: String) throws -> String? {
    try String(contentsOf: store, encoding: .utf8).split(separator: "\n").first { $0.hasPrefix("secret: \(name) ") }.map(String.init)
  }
}
