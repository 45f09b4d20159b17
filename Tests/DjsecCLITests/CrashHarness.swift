import DjsecCore
import Foundation
import Synchronization
import XCTest

/// `kill -9` at every write point of a djsec command. An LD_PRELOAD shim
/// (Tests/crash/killshim.c, compiled here with `cc -shared -fPIC`; the djsec
/// binary reads nothing new) counts djsec's calls to rename, link, fsync and
/// exclusive creates and sends djsec SIGKILL before the N-th call of one kind.
///
/// `run` counts the calls of a run that nothing kills, then, in a fresh copy
/// of `template` per point, kills the command before each N of each kind it
/// makes (and at N + 1, which it must no longer reach), and hands each copy
/// it killed to the invariant. Kinds with no call are skipped. An exclusive
/// `open` is also killed just after the call: it made the file at its final
/// name, and nothing is written into it yet, a state no other point shows.
///
/// Cases run a few at a time (each mostly waits for git and Django), so the
/// invariant must be `@Sendable` and report by throwing `Violation` rather
/// than with XCTAssert; `run` reports every violation on the test's thread.
/// The checks every command's crash test wants (`requireSafe`,
/// `requireWhole`) are on `Case`, below; CrashTests shows how to use them.
struct CrashHarness: Sendable {
  /// Where the shim kills djsec.
  struct Point: CustomStringConvertible, Sendable {
    let kind: String
    let n: Int
    let after: Bool
    /// The value of DJSEC_TEST_KILL_AT.
    var spec: String { "\(kind):\(n)\(after ? ":after" : "")" }
    var description: String { (after ? "just after" : "before") + " \(kind) call \(n)" }
  }

  /// What an invariant found wrong; the message never holds a secret.
  struct Violation: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
  }

  /// Throws a violation unless `condition` holds (in an invariant).
  static func require(_ condition: Bool, _ message: @autoclosure () -> String) throws {
    if !condition { throw Violation(message()) }
  }

  /// The kinds also killed just after the call (see above).
  static let killAfter: Set<String> = ["open", "openat"]

  /// The folder the template and its copies live in (the test removes it).
  let work: URL
  /// The prepared folder each case starts from.
  let template: URL
  /// Where the command runs, relative to the template.
  let directory: String
  let command: [String]
  /// How many cases run at once.
  var width = 6

  /// The shim, compiled once per test process from the package's source.
  static func shim() throws -> URL {
    try compiled.get()
  }

  private static let compiled: Result<URL, Error> = Result {
    guard FileManager.default.isExecutableFile(atPath: "/usr/bin/cc") else {
      // CI must run the crash tests; elsewhere they wait for a compiler.
      if ProcessInfo.processInfo.environment["CI"] == "true" { throw Violation("no C compiler (/usr/bin/cc) to build the crash-test shim") }
      throw XCTSkip("no C compiler (/usr/bin/cc) to build the crash-test shim")
    }
    let source = CLI.packageRoot.appendingPathComponent("Tests/crash/killshim.c")
    let out = CLI.testHome.appendingPathComponent("killshim.so")
    let r = try CLI.run(URL(fileURLWithPath: "/usr/bin/cc"), ["-shared", "-fPIC", "-O1", "-o", out.path, source.path, "-ldl"])
    guard r.status == 0 else { throw Violation("cc could not build the shim: \(r.stderr)") }
    return out
  }

  /// A fresh copy of the template, named `name`.
  func copy(_ name: String) throws -> Case {
    let root = work.appendingPathComponent("case-\(name)")
    try? FileManager.default.removeItem(at: root)
    let r = try CLI.run(URL(fileURLWithPath: "/bin/cp"), ["-a", template.path, root.path])
    guard r.status == 0 else { throw Violation("cp failed: \(r.stderr)") }
    return Case(root: root)
  }

  /// The command in `c` under the shim, with DJSEC_TEST_KILL_AT=`spec`.
  func runShimmed(_ c: Case, spec: String, extra: [String: String] = [:]) throws -> Run {
    let env = ["LD_PRELOAD": try Self.shim().path, "DJSEC_TEST_KILL_AT": spec].merging(extra) { $1 }
    return try c.djsec(command, in: directory, environment: env)
  }

  /// How many calls of each kind one run makes when nothing kills it.
  func counts() throws -> [String: Int] {
    let c = try copy("count")
    defer { try? FileManager.default.removeItem(at: c.root) }
    let file = c.url("counts.txt")
    let r = try runShimmed(c, spec: "count", extra: ["DJSEC_TEST_KILL_COUNTS": file.path])
    guard r.status == 0 else { throw Violation("djsec \(command.prefix(2).joined(separator: " ")) failed: \(r.stderr)") }
    var counts: [String: Int] = [:]
    for line in try String(contentsOf: file, encoding: .utf8).split(separator: "\n") {
      let parts = line.split(separator: " ")
      if parts.count == 2, let n = Int(parts[1]) { counts[String(parts[0])] = n }
    }
    return counts
  }

  /// Kills the command at every point (see above), each in a fresh copy, and
  /// runs `invariant` on each copy it killed; XCTFails every violation.
  /// Returns the points where djsec was killed.
  @discardableResult
  func run(
    file: StaticString = #filePath, line: UInt = #line, invariant: @escaping @Sendable (Case, Point) throws -> Void
  ) throws -> [Point] {
    let points = try counts().sorted(by: { $0.key < $1.key }).flatMap { kind, count in
      (Self.killAfter.contains(kind) ? [false, true] : [false]).flatMap { after in
        count == 0 ? [] : (1...(count + 1)).map { Point(kind: kind, n: $0, after: after) }
      }
    }
    let outcomes = Mutex<[(point: Point, killed: Bool, problem: String?)]>([])
    let next = Atomic<Int>(0)
    // Threads of their own: concurrentPerform would run no more at once than there are cores.
    let done = DispatchGroup()
    for _ in 0..<width {
      done.enter()
      Thread {
        while true {
          let i = next.add(1, ordering: .relaxed).oldValue
          guard i < points.count else { break }
          let outcome = self.attempt(points[i], invariant: invariant)
          outcomes.withLock { $0.append((points[i], outcome.killed, outcome.problem)) }
        }
        done.leave()
      }.start()
    }
    done.wait()
    let all = outcomes.withLock { $0 }.sorted { $0.point.spec < $1.point.spec }
    for outcome in all {
      if let problem = outcome.problem { XCTFail("killed \(outcome.point): \(problem)", file: file, line: line) }
    }
    return all.filter(\.killed).map(\.point)
  }

  /// One point: whether djsec was killed there, and what went wrong.
  private func attempt(_ point: Point, invariant: @Sendable (Case, Point) throws -> Void) -> (killed: Bool, problem: String?) {
    do {
      let c = try copy(point.spec.replacingOccurrences(of: ":", with: "-"))
      defer { try? FileManager.default.removeItem(at: c.root) }
      let r = try runShimmed(c, spec: point.spec)
      // Not reached: the command made fewer calls, and must have succeeded.
      guard r.signal == SIGKILL else { return (false, r.status == 0 ? nil : "not reached, and djsec failed: \(r.stderr)") }
      try invariant(c, point)
      return (true, nil)
    } catch {
      return (true, "\(error)")
    }
  }

  /// One copy of the template: its folder, and the environment every djsec
  /// run in it gets (its own XDG folders, so no case sees another's trust
  /// records or keys).
  struct Case: Sendable {
    let root: URL

    var environment: [String: String] {
      ["XDG_STATE_HOME": url("state").path, "XDG_CONFIG_HOME": url("config").path]
    }

    func url(_ path: String) -> URL { root.appendingPathComponent(path) }

    /// djsec in `directory` (relative to the copy), without the shim.
    @discardableResult
    func djsec(_ arguments: [String], in directory: String, environment extra: [String: String] = [:]) throws -> Run {
      try CLI.run(CLI.binary, arguments, in: url(directory), environment: environment.merging(extra) { $1 })
    }

    /// djsec that must succeed.
    @discardableResult
    func expect(_ arguments: [String], in directory: String, stdin: String? = nil) throws -> Run {
      let r = try CLI.run(CLI.binary, arguments, in: url(directory), stdin: stdin, environment: environment)
      guard r.status == 0 else { throw Violation("djsec \(arguments.prefix(2).joined(separator: " ")) failed: \(r.stderr)") }
      return r
    }

    /// git in `directory`; throws unless it exits 0.
    @discardableResult
    func git(_ arguments: [String], in directory: String) throws -> String {
      let r = try CLI.run(URL(fileURLWithPath: "/usr/bin/git"), arguments, in: url(directory))
      guard r.status == 0 else { throw Violation("git \(arguments.joined(separator: " ")) failed: \(r.stderr)") }
      return r.stdout
    }

    /// Every regular file in the copy, outside .git folders.
    var files: [URL] {
      var out: [URL] = []
      let e = FileManager.default.enumerator(atPath: root.path)
      while let p = e?.nextObject() as? String {
        if p == ".git" || p.hasSuffix("/.git") {
          e?.skipDescendants()
          continue
        }
        var info = stat()
        if lstat(url(p).path, &info) == 0, info.st_mode & S_IFMT == S_IFREG { out.append(url(p)) }
      }
      return out
    }
  }
}

/// The invariants every crash case checks, for any command's crash test.
extension CrashHarness.Case {
  /// The plaintext secrets that may be on disk in the copy: the store's
  /// SECRET_KEY, the key in any local_settings.py (or a temporary copy of
  /// one), every private key in a key file (or a temporary copy), and `known`.
  func plaintextSecrets(project: String, known: [String]) throws -> [String] {
    var found = known
    let get = try djsec(["secret", "get", "SECRET_KEY"], in: project)
    if get.status == 0 { found.append(get.stdout.trimmingCharacters(in: .newlines)) }
    for file in files {
      guard let data = FileManager.default.contents(atPath: file.path) else { continue }
      let text = String(decoding: data, as: UTF8.self)
      if file.lastPathComponent.contains("local_settings.py"), let key = PythonLiteral.assignedString(named: "SECRET_KEY", in: text) {
        found.append(key)
      }
      for line in text.split(separator: "\n") where line.hasPrefix("private: ") { found.append(String(line.dropFirst(9))) }
    }
    return found.filter { $0.count >= 16 }
  }

  /// No key file is empty or partial, every temporary file a killed djsec
  /// left is one `staleTemporaryFiles` reports (for `djsec status`), and no
  /// file git would commit (what `git status` lists) holds a plaintext secret.
  func requireSafe(project: String, known: [String] = []) throws {
    for file in files where file.pathExtension == "key" {
      do { _ = try KeyFile.read(file) } catch { throw CrashHarness.Violation("\(file.lastPathComponent) is no whole key file: \(error)") }
    }
    for file in files where file.lastPathComponent.contains(AtomicFile.temporaryMarker) {
      let stale = AtomicFile.staleTemporaryFiles(in: file.deletingLastPathComponent()).map(\.lastPathComponent)
      try CrashHarness.require(stale.contains(file.lastPathComponent), "\(file.lastPathComponent) is left and not reported stale")
    }
    let secrets = try plaintextSecrets(project: project, known: known)
    let status = try git(["status", "--porcelain", "-z", "--untracked-files=all"], in: project)
    for entry in status.split(separator: "\0") where entry.count > 3 {
      let path = String(entry.dropFirst(3))
      guard let data = FileManager.default.contents(atPath: url(project).appendingPathComponent(path).path) else { continue }
      try CrashHarness.require(
        !secrets.contains { data.range(of: Data($0.utf8)) != nil }, "\(path) holds a plaintext secret and git does not ignore it")
    }
  }

  /// The project after the command ran again: git ignores local_settings.py,
  /// Django imports it, and its values are the store's (and `expect`'s). For
  /// a project `startproject demo` made, in the copy's `demo` folder.
  func requireWhole(python: URL, expect: [String: String] = [:]) throws {
    try git(["check-ignore", "-q", "demo/local_settings.py"], in: "demo")
    var expected = expect
    expected["SECRET_KEY"] = try self.expect(["secret", "get", "SECRET_KEY"], in: "demo").stdout.trimmingCharacters(in: .newlines)
    // Compared inside Python, so no value reaches a message.
    var env = ["DJANGO_SETTINGS_MODULE": "demo.settings"]
    for (name, value) in expected { env["EXPECTED_\(name)"] = value }
    let check = """
      import os
      from django.conf import settings
      print(all(getattr(settings, n[9:]) == v for n, v in os.environ.items() if n.startswith("EXPECTED_")))
      """
    let r = try CLI.run(python, ["-c", check], in: url("demo"), environment: env)
    try CrashHarness.require(r.status == 0, "Django could not import the settings: \(r.stderr)")
    try CrashHarness.require(r.stdout == "True\n", "the settings Django sees are not the store's")
    try requireSafe(project: "demo", known: Array(expected.values))
  }
}
