import DjsecTestSupport
import Foundation
import XCTest

/// `djsec scan` run as a user runs it, on real repositories built for each
/// history shape that trips other scanners.
final class ScanEndToEndTests: XCTestCase {
  private func key() -> String { SecretGenerator.make("django_key")! }

  private func settings(_ key: String) -> String {
    "DEBUG = False\nALLOWED_HOSTS = ['example.com']\nSECRET_KEY = '\(key)'\n"
  }

  private func only(_ findings: [[String: Any]], secret: String, file: StaticString = #filePath, line: UInt = #line) -> [String: Any]? {
    let matching = findings.filter { $0["secret"] as? String == secret }
    XCTAssertEqual(matching.count, 1, "expected one finding for the secret, got \(matching.count): \(findings)", file: file, line: line)
    return matching.first
  }

  func testKeyAddedThenDeletedIsAttributedToTheCommitThatAddedIt() throws {
    let repo = try GitFixture("added-deleted")
    try repo.commit("readme", files: ["README.md": "hello\n"])
    let k = key()
    let added = try repo.commit("settings", files: ["mysite/settings.py": settings(k)])
    try repo.commit("edit", files: ["mysite/settings.py": settings(k) + "TIME_ZONE = 'UTC'\n"])
    try repo.commit("remove key", files: ["mysite/settings.py": "DEBUG = False\n"])
    let (status, findings, _) = try repo.scan()
    XCTAssertEqual(status, 1)
    let f = try XCTUnwrap(only(findings, secret: k))
    XCTAssertEqual(f["commit"] as? String, added)
    XCTAssertEqual(f["rule"] as? String, "django-secret-key")
    XCTAssertEqual(f["path"] as? String, "mysite/settings.py")
    XCTAssertEqual(f["line"] as? Int, 3)
    XCTAssertEqual(f["column"] as? Int, 15)
    XCTAssertEqual(f["otherCommits"] as? Int, 1, "the edit carried the key in a new blob")
    XCTAssertEqual(f["author"] as? String, "Dev <dev@example.invalid>")
    XCTAssertEqual(f["fingerprint"] as? String, "\(added):mysite/settings.py:django-secret-key:3")
  }

  func testSideBranchTagAndMergeOnlyContent() throws {
    let repo = try GitFixture("shapes")
    try repo.commit("base", files: ["README.md": "base\n"])
    // Only on an unmerged branch.
    let onBranch = key()
    try repo.git("checkout", "-q", "-b", "feature")
    let branchCommit = try repo.commit("feature", files: [".env": "DJANGO_SECRET_KEY=\(onBranch)\n"])
    // Only in a tag that no branch reaches.
    let inTag = key()
    try repo.git("checkout", "-q", "--detach", "main")
    let tagCommit = try repo.commit("tagged", files: ["deploy/prod.env": "DJANGO_SECRET_KEY=\(inTag)\n"])
    try repo.git("tag", "v1.0")
    // Introduced by a merge commit itself (an "evil merge").
    try repo.git("checkout", "-q", "main")
    try repo.git("checkout", "-q", "-b", "side")
    try repo.commit("side work", files: ["app.py": "print('side')\n"])
    try repo.git("checkout", "-q", "main")
    try repo.commit("main work", files: ["lib.py": "print('main')\n"])
    let inMerge = key()
    try repo.git("merge", "-q", "--no-ff", "--no-commit", "side")
    try repo.write("config/settings_prod.py", settings(inMerge))
    try repo.git("add", "-A")
    try repo.git("commit", "-q", "-m", "merge side")
    let mergeCommit = try repo.git("rev-parse", "HEAD")
    // A merged branch that deleted its key before the merge.
    let deletedBeforeMerge = key()
    try repo.git("checkout", "-q", "-b", "cleanup")
    let cleanupAdd = try repo.commit("add", files: ["tmp/.env.production": "DJANGO_SECRET_KEY='\(deletedBeforeMerge)'\n"])
    try repo.commit("remove", delete: ["tmp/.env.production"])
    try repo.git("checkout", "-q", "main")
    try repo.git("merge", "-q", "--no-ff", "-m", "merge cleanup", "cleanup")

    let (status, findings, _) = try repo.scan()
    XCTAssertEqual(status, 1)
    XCTAssertEqual(only(findings, secret: onBranch)?["commit"] as? String, branchCommit)
    XCTAssertEqual(only(findings, secret: inTag)?["commit"] as? String, tagCommit)
    XCTAssertEqual(only(findings, secret: inMerge)?["commit"] as? String, mergeCommit)
    XCTAssertEqual(only(findings, secret: deletedBeforeMerge)?["commit"] as? String, cleanupAdd)
  }

  func testRenamedCRLFUTF16AndMinified() throws {
    let repo = try GitFixture("encodings")
    let renamed = key()
    let added = try repo.commit("add", files: ["old/settings.py": settings(renamed)])
    try FileManager.default.createDirectory(at: repo.root.appendingPathComponent("new"), withIntermediateDirectories: true)
    try repo.git("mv", "old/settings.py", "new/settings.py")
    let rename = try repo.commit("rename")
    let crlf = key()
    try repo.write("win/settings.py", "DEBUG = False\r\nSECRET_KEY = \"\(crlf)\"\r\nX = 1\r\n")
    let utf16 = key()
    var utf16Data = Data([0xFF, 0xFE])
    utf16Data.append("DJANGO_SECRET_KEY=\(utf16)\r\n".data(using: .utf16LittleEndian)!)
    try repo.write("deploy/prod.env", utf16Data)
    let minified = key()
    let filler = String(repeating: "var a=function(b){return b*2};", count: 40_000)
    try repo.write("static/app.min.js", filler + "config={SECRET_KEY:\"\(minified)\"};" + filler)
    try repo.commit("more")
    let (_, findings, _) = try repo.scan()
    // A rename puts the key at a second path: one finding per path, each from the commit that put it there.
    let r = findings.filter { $0["secret"] as? String == renamed }
    let paths = Dictionary(uniqueKeysWithValues: r.compactMap { f in (f["path"] as? String).map { ($0, f["commit"] as? String) } })
    XCTAssertEqual(paths, ["old/settings.py": added, "new/settings.py": rename])
    XCTAssertEqual(only(findings, secret: crlf)?["line"] as? Int, 2)
    XCTAssertEqual(only(findings, secret: utf16)?["path"] as? String, "deploy/prod.env")
    let m = try XCTUnwrap(only(findings, secret: minified))
    XCTAssertEqual(m["line"] as? Int, 1)
    XCTAssertEqual(m["column"] as? Int, filler.utf8.count + "config={SECRET_KEY:\"".utf8.count + 1)
  }

  func testArchivesCompiledPythonAndKubernetesSecrets() throws {
    let repo = try GitFixture("containers")
    let zipped = key()
    let pyc = key()
    let k8s = key()
    try repo.write("src/.env", "DJANGO_SECRET_KEY=\(zipped)\n")
    try repo.write("build/settings.py", settings(pyc))
    let py = try CLI.run(
      URL(fileURLWithPath: "/usr/bin/env"),
      [
        "python3", "-c",
        """
        import zipfile, py_compile
        with zipfile.ZipFile('release.zip', 'w', zipfile.ZIP_DEFLATED) as z: z.write('src/.env', 'app/.env')
        py_compile.compile('build/settings.py', cfile='build/settings.cpython-311.pyc')
        """,
      ], in: repo.root)
    XCTAssertEqual(py.status, 0, py.stderr)
    try FileManager.default.removeItem(at: repo.root.appendingPathComponent("src/.env"))
    try FileManager.default.removeItem(at: repo.root.appendingPathComponent("build/settings.py"))
    let encoded = Data("\(k8s)".utf8).base64EncodedString()
    try repo.write(
      "k8s/secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: web\ntype: Opaque\ndata:\n  DJANGO_SECRET_KEY: \(encoded)\n")
    try repo.commit("artifacts")
    let (_, findings, _) = try repo.scan()
    XCTAssertEqual(only(findings, secret: zipped)?["path"] as? String, "release.zip!app/.env")
    XCTAssertEqual(only(findings, secret: pyc)?["path"] as? String, "build/settings.cpython-311.pyc")
    let s = try XCTUnwrap(only(findings, secret: k8s))
    XCTAssertEqual(s["path"] as? String, "k8s/secret.yaml")
    XCTAssertEqual(s["line"] as? Int, 7)
  }

  func testSameBlobInAThousandCommitsIsReportedOnce() throws {
    let repo = try GitFixture("thousand")
    let base = try repo.commit("base", files: ["README.md": "x\n"])
    let content = settings(key())
    // 1,000 branches, each with its own commit adding the same file (cherry-picks of one fixture).
    var stream = "blob\nmark :1\ndata \(content.utf8.count)\n\(content)\n"
    for i in 0..<1000 {
      let message = "copy \(i)"
      stream += "commit refs/heads/copy-\(i)\ncommitter Dev <dev@example.invalid> \(1_800_000_000 + i) +0000\n"
      stream += "data \(message.utf8.count)\n\(message)\nfrom \(base)\nM 100644 :1 mysite/settings.py\n\n"
    }
    try repo.gitArgs(["fast-import", "--quiet"], stdin: stream)
    let (status, findings, _) = try repo.scan()
    XCTAssertEqual(status, 1)
    XCTAssertEqual(findings.count, 1, "one secret, one finding")
    XCTAssertEqual(findings.first?["otherCommits"] as? Int, 999)
    let earliest = try repo.git("rev-parse", "copy-0")
    XCTAssertEqual(findings.first?["commit"] as? String, earliest)
  }

  /// One finding per secret and path (docs/scan.md): the same file
  /// copied to a second path, byte for byte, is a second place to clean up,
  /// each attributed to the commit that put it there.
  func testAByteIdenticalCopyAtASecondPathIsReportedThere() throws {
    let repo = try GitFixture("copy")
    let content = settings(key())
    let first = try repo.commit("settings", files: ["mysite/settings.py": content])
    let second = try repo.commit("copy", files: ["backup/settings.py": content])
    let (status, findings, _) = try repo.scan()
    XCTAssertEqual(status, 1)
    let byPath = Dictionary(uniqueKeysWithValues: findings.compactMap { f in (f["path"] as? String).map { ($0, f) } })
    XCTAssertEqual(Set(byPath.keys), ["mysite/settings.py", "backup/settings.py"])
    XCTAssertEqual(byPath["mysite/settings.py"]?["commit"] as? String, first)
    XCTAssertEqual(byPath["backup/settings.py"]?["commit"] as? String, second)
    XCTAssertEqual(byPath["backup/settings.py"]?["otherCommits"] as? Int, 0)
  }

  func testUnreachableObjectsOnlyWithAllObjectsAndRangesLimitTheScan() throws {
    let repo = try GitFixture("objects")
    let first = try repo.commit("base", files: ["README.md": "x\n"])
    let early = key()
    try repo.commit("early", files: ["a/settings.py": settings(early)])
    let since = try repo.git("rev-parse", "HEAD")
    let late = key()
    try repo.commit("late", files: ["b/settings.py": settings(late)])
    let lost = key()
    try repo.commit("force-pushed away", files: ["c/settings.py": settings(lost)])
    try repo.git("reset", "-q", "--hard", "HEAD~1")
    try repo.git("reflog", "expire", "--expire=now", "--all")

    let all = try repo.scan()
    XCTAssertEqual(Set(all.findings.compactMap { $0["secret"] as? String }), [early, late])
    let withLost = try repo.scan(["--all-objects"])
    XCTAssertEqual(Set(withLost.findings.compactMap { $0["secret"] as? String }), [early, late, lost])
    let recent = try repo.scan(["--since", since])
    XCTAssertEqual(recent.findings.compactMap { $0["secret"] as? String }, [late])
    let range = try repo.scan(["--range", "\(first)..\(since)"])
    XCTAssertEqual(range.findings.compactMap { $0["secret"] as? String }, [early])
  }

  func testDecoysAreNotReportedAndCleanRepositoriesExitZero() throws {
    let repo = try GitFixture("decoys")
    try repo.commit(
      "decoys",
      files: [
        "mysite/settings.py":
          "SECRET_KEY = os.environ['DJANGO_SECRET_KEY']\nDATABASES = {'default': {'PASSWORD': os.environ['DB_PASSWORD']}}\n",
        ".env.example": "DJANGO_SECRET_KEY=change-me-please\nDATABASE_URL=postgres://user:password@localhost/db\n",
        "docker-compose.yml": "services:\n  web:\n    environment:\n      - DJANGO_SECRET_KEY=${DJANGO_SECRET_KEY}\n",
        "package-lock.json": "{\"integrity\": \"sha512-\(SecretGenerator.random(86, from: SecretGenerator.base64))==\"}\n",
        "app/migrations/0001_initial.py": "uuid = '\(UUID().uuidString.lowercased())'\n",
        "keys/deploy.pub": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI\(SecretGenerator.random(43, from: SecretGenerator.base64)) deploy\n",
      ])
    let r = try CLI.djsec(["scan", repo.root.path])
    XCTAssertEqual(r.status, 0, r.stdout)
    XCTAssertTrue(r.stdout.contains("no leaks found"), r.stdout)
  }

  func testSecretsAreRedactedUnlessAskedAndTextIsGroupedByFile() throws {
    let repo = try GitFixture("redact")
    let k = key()
    try repo.commit("leak", files: ["mysite/settings.py": settings(k)])
    for format in ["text", "json", "sarif"] {
      let r = try CLI.djsec(["scan", repo.root.path, "--format", format])
      XCTAssertEqual(r.status, 1)
      XCTAssertFalse(r.stdout.contains(k) || r.stderr.contains(k), "\(format) output shows the secret")
    }
    let text = try CLI.djsec(["scan", repo.root.path])
    XCTAssertTrue(text.stdout.hasPrefix("mysite/settings.py\n"), text.stdout)
    XCTAssertFalse(text.stdout.contains("\u{1B}["), "no colour when stdout is not a terminal")
    let shown = try CLI.djsec(["scan", repo.root.path, "--show-secrets"])
    XCTAssertTrue(shown.stdout.contains(k))
  }

  func testNoGitScansFilesOnDisk() throws {
    let folder = try CLI.temporaryFolder("nogit")
    defer { try? FileManager.default.removeItem(at: folder) }
    let k = key()
    try settings(k).write(to: folder.appendingPathComponent("settings.py"), atomically: true, encoding: .utf8)
    let r = try CLI.djsec(["scan", "--no-git", folder.path, "--format", "json", "--show-secrets"])
    XCTAssertEqual(r.status, 1, r.stderr)
    let doc = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
    let f = try XCTUnwrap((doc?["findings"] as? [[String: Any]])?.first)
    XCTAssertEqual(f["secret"] as? String, k)
    XCTAssertEqual(f["path"] as? String, "settings.py")
    XCTAssertNil(f["commit"])
  }

  func testBadInputIsOneLineWithExitTwo() throws {
    let plain = try CLI.temporaryFolder("notrepo")
    defer { try? FileManager.default.removeItem(at: plain) }
    let notRepo = try CLI.djsec(["scan", plain.path])
    XCTAssertEqual(notRepo.status, 2)
    XCTAssertTrue(notRepo.stderr.hasPrefix("djsec: error: \(plain.path) is not a git repository"), notRepo.stderr)

    let missing = try CLI.djsec(["scan", "--no-git", plain.appendingPathComponent("nope").path])
    XCTAssertEqual(missing.status, 2)
    XCTAssertTrue(missing.stderr.contains("cannot read"), missing.stderr)

    let rules = plain.appendingPathComponent("rules.json")
    let broken = """
      {"version": 1, "placeholders": [], "ignorePaths": [], "rules": [{"id": "broken-rule", "description": "d", "severity": "high",
       "pattern": "(unclosed", "keywords": [], "examples": {"match": [], "noMatch": []}}]}
      """
    try broken.write(to: rules, atomically: true, encoding: .utf8)
    let repo = try GitFixture("rules")
    try repo.commit("x", files: ["a.txt": "a\n"])
    let bad = try CLI.djsec(["scan", repo.root.path, "--rules", rules.path])
    XCTAssertEqual(bad.status, 2)
    XCTAssertTrue(bad.stderr.hasPrefix("djsec: error: rule broken-rule has an invalid pattern"), bad.stderr)
    XCTAssertEqual(bad.stdout, "")

    let badRev = try CLI.djsec(["scan", repo.root.path, "--since", "no-such-rev"])
    XCTAssertEqual(badRev.status, 2)
    XCTAssertTrue(badRev.stderr.contains("unknown revision no-such-rev"), badRev.stderr)
  }

  func testCorruptObjectIsAnError() throws {
    let repo = try GitFixture("corrupt")
    try repo.commit("x", files: ["mysite/settings.py": settings(key())])
    let blob = try repo.git("rev-parse", "HEAD:mysite/settings.py")
    let object = repo.root.appendingPathComponent(".git/objects/\(blob.prefix(2))/\(blob.dropFirst(2))")
    try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: object.path)
    try Data("garbage".utf8).write(to: object)
    let r = try CLI.djsec(["scan", repo.root.path])
    XCTAssertEqual(r.status, 2, r.stdout + r.stderr)
    XCTAssertTrue(r.stderr.hasPrefix("djsec: error: "), r.stderr)
  }

  /// A store the pack reader leaves to git (alternates: a `--shared` clone)
  /// is read through `git cat-file`, with the same findings as a store it
  /// reads itself, packed or loose.
  func testAStoreWithAlternatesIsReadThroughGit() throws {
    let repo = try GitFixture("alternates")
    let packed = key()
    try repo.commit("packed", files: ["mysite/settings.py": settings(packed)])
    _ = try repo.git("gc", "-q")
    let loose = key()
    try repo.commit("loose", files: ["deploy/settings.py": settings(loose)])
    let clone = try CLI.temporaryFolder("shared")
    defer { try? FileManager.default.removeItem(at: clone) }
    let shared = clone.appendingPathComponent("c")
    try CLI.git(["clone", "-q", "--shared", repo.root.path, shared.path], in: clone)
    XCTAssertTrue(FileManager.default.fileExists(atPath: shared.appendingPathComponent(".git/objects/info/alternates").path))
    for root in [repo.root, shared] {
      let r = try CLI.djsec(["scan", root.path, "--format", "json", "--show-secrets"])
      XCTAssertEqual(r.status, 1, r.stderr)
      let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
      let findings = try XCTUnwrap(object?["findings"] as? [[String: Any]])
      XCTAssertEqual(only(findings, secret: packed)?["path"] as? String, "mysite/settings.py", root.path)
      XCTAssertEqual(only(findings, secret: loose)?["path"] as? String, "deploy/settings.py", root.path)
    }
  }

  func testShallowCloneWarns() throws {
    let repo = try GitFixture("deep")
    try repo.commit("one", files: ["a.txt": "1\n"])
    try repo.commit("two", files: ["a.txt": "2\n"])
    let clone = try CLI.temporaryFolder("shallow")
    defer { try? FileManager.default.removeItem(at: clone) }
    try CLI.git(["clone", "-q", "--depth", "1", "file://\(repo.root.path)", clone.appendingPathComponent("c").path], in: clone)
    let r = try CLI.djsec(["scan", clone.appendingPathComponent("c").path])
    XCTAssertEqual(r.status, 0)
    XCTAssertTrue(r.stderr.contains("djsec: warning:") && r.stderr.contains("shallow clone"), r.stderr)
  }
}

extension ScanEndToEndTests {
  /// `.djsecignore` leaves out reviewed findings by fingerprint or secretHash; the rest still fail the run.
  func testIgnoreFileLeavesOutReviewedFindings() throws {
    let repo = try GitFixture("ignore")
    let accepted = SecretGenerator.make("django_key")!
    let other = SecretGenerator.make("django_key")!
    try repo.commit("two", files: ["a/settings.py": "SECRET_KEY = '\(accepted)'\n", "b/settings.py": "SECRET_KEY = '\(other)'\n"])
    let all = try repo.scan()
    XCTAssertEqual(all.findings.count, 2)
    let byFingerprint = try XCTUnwrap(all.findings.first { $0["secret"] as? String == accepted }?["fingerprint"] as? String)
    try "# reviewed: a test fixture\n\(byFingerprint)\n".write(
      to: repo.root.appendingPathComponent(".djsecignore"), atomically: true, encoding: .utf8)
    let left = try repo.scan()
    XCTAssertEqual(left.status, 1)
    XCTAssertEqual(left.findings.compactMap { $0["secret"] as? String }, [other])
    let hash = try XCTUnwrap(all.findings.first { $0["secret"] as? String == other }?["secretHash"] as? String)
    try "\(byFingerprint)\n\(hash)  # rotated already\n".write(
      to: repo.root.appendingPathComponent(".djsecignore"), atomically: true, encoding: .utf8)
    XCTAssertEqual(try repo.scan().status, 0)
    let missing = try CLI.djsec(["scan", repo.root.path, "--ignore-file", repo.root.appendingPathComponent("nope").path])
    XCTAssertEqual(missing.status, 2)
  }
}

extension ScanEndToEndTests {
  /// `--staged` (a pre-commit hook) sees only what the next commit would add.
  func testStagedScansTheIndexOnly() throws {
    let repo = try GitFixture("staged")
    let old = SecretGenerator.make("django_key")!
    try repo.commit("old leak", files: ["old/settings.py": "SECRET_KEY = '\(old)'\n"])
    XCTAssertEqual(try CLI.djsec(["scan", repo.root.path, "--staged"]).status, 0, "nothing staged")
    let new = SecretGenerator.make("django_key")!
    try repo.write("new/.env", "DJANGO_SECRET_KEY=\(new)\n")
    try repo.git("add", "new/.env")
    let r = try CLI.djsec(["scan", repo.root.path, "--staged", "--format", "json", "--show-secrets"])
    XCTAssertEqual(r.status, 1)
    let doc = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
    let findings = doc?["findings"] as? [[String: Any]] ?? []
    XCTAssertEqual(findings.compactMap { $0["secret"] as? String }, [new])
    XCTAssertEqual(findings.first?["path"] as? String, "new/.env")
  }
}

extension ScanEndToEndTests {
  /// `.djsecignore` as a team uses it: the id the text report shows, path
  /// globs and rule ids with reasons, `djsec ignore add`, the root's file
  /// for a scan of a subfolder, and a one-line error naming the line for
  /// anything else (a JSON report, a 12-digit prefix, a path without a reason).
  func testIgnoreEntriesFromTheTextReportPathsRulesAndIgnoreAdd() throws {
    let repo = try GitFixture("ignore-forms")
    let fixture = SecretGenerator.make("django_key")!
    let test = SecretGenerator.make("django_key")!
    let real = SecretGenerator.make("django_key")!
    try repo.commit(
      "three",
      files: [
        "a/settings.py": "SECRET_KEY = '\(fixture)'\n", "tests/fixtures/settings.py": "SECRET_KEY = '\(test)'\n",
        "deploy/settings.py": "SECRET_KEY = '\(real)'\n",
      ])
    let text = try CLI.djsec(["scan", repo.root.path])
    let ids = text.stdout.split(separator: "\n").compactMap { line -> String? in
      guard let r = line.range(of: "REDACTED (id ") else { return nil }
      return String(line[r.upperBound...].prefix(while: \.isHexDigit))
    }
    XCTAssertEqual(ids.count, 3, text.stdout)
    XCTAssertTrue(ids.allSatisfy { $0.count == 32 }, "the full id is shown: \(ids)")
    let all = try repo.scan()
    let fixtureID = try XCTUnwrap(all.findings.first { $0["secret"] as? String == fixture }?["secretHash"] as? String)
    XCTAssertTrue(ids.contains(fixtureID))

    // Written by `djsec ignore add` from a subfolder, read by a scan of another subfolder.
    try FileManager.default.createDirectory(at: repo.root.appendingPathComponent("deploy/sub"), withIntermediateDirectories: true)
    let add = try CLI.djsec(
      ["ignore", "add", fixtureID, "--reason", "fixture key, never deployed"], in: repo.root.appendingPathComponent("a"))
    XCTAssertEqual(add.status, 0, add.stderr)
    XCTAssertEqual(try CLI.djsec(["ignore", "add", fixtureID, "--reason", "again"], in: repo.root).status, 0)
    XCTAssertEqual(
      try CLI.djsec(["ignore", "add", "path:tests/*", "--reason", "generated test keys"], in: repo.root).status, 0)
    let file = try String(contentsOf: repo.root.appendingPathComponent(".djsecignore"), encoding: .utf8)
    XCTAssertEqual(file, "\(fixtureID)  # fixture key, never deployed\npath:tests/*  # generated test keys\n")
    let left = try CLI.djsec(["scan", repo.root.appendingPathComponent("deploy/sub").path, "--format", "json", "--show-secrets"])
    XCTAssertEqual(left.status, 1, left.stderr)
    let findings = (try JSONSerialization.jsonObject(with: Data(left.stdout.utf8)) as? [String: Any])?["findings"] as? [[String: Any]]
    XCTAssertEqual(findings?.compactMap { $0["secret"] as? String }, [real])

    try "rule:django-secret-key  # all reviewed\n".write(
      to: repo.root.appendingPathComponent(".djsecignore"), atomically: true, encoding: .utf8)
    XCTAssertEqual(try CLI.djsec(["scan", repo.root.path]).status, 0)

    // Each wrong line: exit 2, one line naming the file and the line number.
    let json = try CLI.djsec(["scan", repo.root.path, "--format", "json"]).stdout
    for (content, line) in [
      ("# ok\n\(fixtureID.prefix(12))\n", 2), ("path:tests/*\n", 1), ("rule:no-such-rule  # typo\n", 1), (json, 1),
      ("\(fixtureID)\nsomething else\n", 2),
    ] {
      try content.write(to: repo.root.appendingPathComponent(".djsecignore"), atomically: true, encoding: .utf8)
      let r = try CLI.djsec(["scan", repo.root.path])
      XCTAssertEqual(r.status, 2, "\(content.prefix(40)): \(r.stderr)")
      XCTAssertTrue(r.stderr.hasPrefix("djsec: error: \(repo.root.appendingPathComponent(".djsecignore").path) line \(line) "), r.stderr)
      XCTAssertEqual(r.stdout, "")
    }
    // `ignore add` refuses to add to a file that is already wrong, and refuses a wrong entry.
    let broken = try CLI.djsec(["ignore", "add", fixtureID, "--reason", "x"], in: repo.root)
    XCTAssertEqual(broken.status, 2)
    XCTAssertTrue(broken.stderr.contains(".djsecignore line 2 is not an ignore entry"), broken.stderr)
    try FileManager.default.removeItem(at: repo.root.appendingPathComponent(".djsecignore"))
    let bad = try CLI.djsec(["ignore", "add", "not-an-entry", "--reason", "x"], in: repo.root)
    XCTAssertEqual(bad.status, 2)
    XCTAssertTrue(bad.stderr.hasPrefix("djsec: error: 'not-an-entry' is not an ignore entry"), bad.stderr)
  }
}

extension ScanEndToEndTests {
  /// A submodule's history is another repository's: the scan says so by
  /// name instead of skipping it without a word.
  func testSubmodulesAreNamedInAWarning() throws {
    let library = try GitFixture("submodule-lib")
    let key = SecretGenerator.make("django_key")!
    try library.commit("lib", files: ["lib.py": "SECRET_KEY = \"\(key)\"\n"])
    try library.commit("lib", files: ["lib.py": "x = 1\n"])
    let app = try GitFixture("submodule-app")
    try app.commit("app", files: ["README.md": "app\n"])
    _ = try app.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", library.root.path, "vendor/lib")
    try app.commit("add the library")
    let r = try CLI.djsec(["scan", app.root.path])
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertTrue(r.stderr.contains("djsec: warning: 1 submodule not scanned (vendor/lib)"), r.stderr)
    XCTAssertTrue(r.stderr.contains("--recurse-submodules"), r.stderr)
    let plain = try CLI.djsec(["scan", library.root.path])
    XCTAssertFalse(plain.stderr.contains("submodule"), plain.stderr)

    // --recurse-submodules: the checked-out submodule's whole history, under its folder.
    let deep = try app.scan(["--recurse-submodules"])
    XCTAssertEqual(deep.status, 1, deep.stderr)
    XCTAssertEqual(deep.findings.map { $0["path"] as? String }, ["vendor/lib/lib.py"])
    XCTAssertEqual(deep.findings.first?["secret"] as? String, key)
    XCTAssertFalse(deep.stderr.contains("not scanned"), deep.stderr)

    // Not checked out: named, with the command that checks it out.
    let fresh = try CLI.temporaryFolder("submodule-fresh").appendingPathComponent("app")
    _ = try CLI.git(["clone", "-q", app.root.path, fresh.path], in: fresh.deletingLastPathComponent())
    let unchecked = try CLI.djsec(["scan", fresh.path, "--recurse-submodules"])
    XCTAssertTrue(unchecked.stderr.contains("not checked out: run 'git submodule update --init' first"), unchecked.stderr)
  }

  /// Paths keep git's bytes: a name that is not UTF-8 or holds a tab is
  /// shown in git's own quoted form (never with U+FFFD, never with a raw
  /// newline that could start a fake line), and SARIF percent-encodes the
  /// bytes themselves.
  func testPathsKeepGitsBytes() throws {
    let repo = try GitFixture("path-bytes")
    let keys = (0..<3).map { _ in SecretGenerator.make("django_key")! }
    try repo.write("naïve.py", "SECRET_KEY = \"\(keys[0])\"\n")
    try repo.write("tab\there.py", "SECRET_KEY = \"\(keys[1])\"\n")
    // A Latin-1 name: bytes "caf", 0xE9, ".py" (not UTF-8), written through POSIX.
    var name = Array(repo.root.path.utf8) + Array("/caf".utf8) + [0xE9] + Array(".py".utf8) + [0]
    let fd = name.withUnsafeMutableBufferPointer { buffer in
      buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { open($0, O_WRONLY | O_CREAT, 0o644) }
    }
    XCTAssertGreaterThanOrEqual(fd, 0)
    let content = Array("SECRET_KEY = \"\(keys[2])\"\n".utf8)
    XCTAssertEqual(content.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }, content.count)
    close(fd)
    try repo.commit("paths")
    let r = try repo.scan()
    let paths = Set(r.findings.compactMap { $0["path"] as? String })
    XCTAssertEqual(paths, ["naïve.py", "\"tab\\there.py\"", "\"caf\\351.py\""], r.stderr)
    let sarif = try CLI.djsec(["scan", repo.root.path, "--format", "sarif"])
    for uri in ["na%C3%AFve.py", "tab%09here.py", "caf%E9.py"] {
      XCTAssertTrue(sarif.stdout.contains("\"uri\" : \"\(uri)\""), "\(uri) not in SARIF")
    }
    let text = try CLI.djsec(["scan", repo.root.path])
    XCTAssertFalse(text.stdout.contains("\u{FFFD}"))
  }
}
