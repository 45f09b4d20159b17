import Foundation
import XCTest

/// Acceptance tests of djsec's store trust model (docs/SECURITY.md), written
/// test-first against docs/FORMAT.md version 2 and the commands it documents
/// (`djsec trust`, `recipients list`, `keys pub`, DJSEC_TRUSTED_KEYS).
///
/// Each test plays people on their own machines (`Person`: own keys, own XDG
/// state with its trust records, own clone). Honest people use the built
/// djsec; the attacker uses only Tests/attack/djsec_format.py, a second
/// implementation of FORMAT.md written from the documentation, which also
/// checks what djsec wrote. Every attack asserts the exit codes, that no value
/// the attacker chose is printed or rendered, and that nothing the victim
/// wrote is sealed to the attacker. Values are made at test time and never
/// appear in an assertion message.
final class StoreTrustTests: XCTestCase {
  private var work: URL!
  private var format: Format!

  override func setUpWithError() throws {
    format = Format(python: try CLI.python())
    work = try CLI.temporaryFolder("trust")
  }

  override func tearDownWithError() throws {
    if let work { try? FileManager.default.removeItem(at: work) }
  }

  /// A value nobody could guess, tagged for whoever reads a failed test's files.
  private func fresh(_ tag: String) -> String { "\(tag)-\(UUID().uuidString.lowercased())" }

  private func makeFolder(_ name: String) throws -> URL {
    let url = work.appendingPathComponent(name)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  /// djsec_format.py arguments that set these values.
  private func values(_ pairs: (String, String)...) -> [String] { pairs.flatMap { ["--set", "\($0.0)=\($0.1)"] } }

  /// The ways an error may name whoever holds `key`: the label they go by, their
  /// identity, their SIGN-PUBLIC, or the first 8 base64 characters of either
  /// key. A label alone is not enough when the file gives the attacker someone
  /// else's label: the test then leaves that label out.
  private func names(_ label: String?, key: URL) throws -> [String] {
    let identity = try format.identity(key)
    let sign = try format.signPublic(key)
    return [label, identity, sign, String(sign.prefix(8)), String(identity.dropFirst("djsec:".count).prefix(8))].compactMap { $0 }
  }

  /// Alice (a key from `djsec keys new`) and her repository holding these secrets, committed on main.
  private func aliceWithStore(in folder: URL, secrets: [(String, String)], gitSetup: Bool = true) throws -> Person {
    let alice = try Person.honest("alice", in: folder)
    try alice.makeRepo()
    if gitSetup { try alice.ok(["git-setup"]) }
    for (name, value) in secrets { try alice.set(name, value) }
    try alice.commit("secrets")
    return alice
  }

  /// Alice adds bob, commits, removes him (the data key rotates) and sets R to
  /// `after`; returns the commit from before the removal.
  private func removeBob(_ bob: Person, from alice: Person, rotating after: String) throws -> String {
    try alice.ok(["recipients", "add", bob.pubFile.path])
    let before = try alice.commit("bob joins")
    try alice.ok(["recipients", "remove", "bob"])
    try alice.set("R", after)
    try alice.commit("bob leaves; R rotated")
    return before
  }

  /// None of the victim's `values` can be read from `store` with the attacker's key.
  private func assertAttackerReadsNone(
    of values: [String], in store: URL, key: URL, _ what: String, file: StaticString = #filePath, line: UInt = #line
  ) throws {
    let readable = try format.readableValues(store, key: key)
    XCTAssertTrue(readable.isDisjoint(with: values), "\(what): the attacker's key opens a value the victim wrote", file: file, line: line)
  }

  // MARK: a. The merge driver

  /// A branch replaces the store with one sealed to alice's identity (as the
  /// store's own recipient line gives it) and to mallory, signed by mallory,
  /// with the store's id or a new one. With the driver set up, the merge is a
  /// conflict, djsec shows none of mallory's values, and mallory's key opens
  /// nothing alice wrote, before or after alice writes again.
  func testMergeDriverRefusesAStoreSealedToAnAttacker() throws {
    for sameID in [true, false] {
      let variant = sameID ? "same id" : "new id"
      let folder = try makeFolder(sameID ? "same-id" : "new-id")
      let (s1, s2, s3) = (fresh("s1"), fresh("s2"), fresh("s3"))
      let alice = try aliceWithStore(in: folder, secrets: [("S1", s1)])
      let mallory = try format.attacker("mallory", in: folder)
      let aliceIdentity = try XCTUnwrap(try format.recipients(alice.store)["alice"])
      let planted = [fresh("planted-s1"), fresh("planted-new")]
      try alice.gitOK(["checkout", "-q", "-b", "mallory"])
      let sealing = sameID ? ["--like", alice.store.path] : ["--recipient", "alice=\(aliceIdentity)"]
      try format.create(
        alice.store,
        sealing + [
          "--recipient", "mallory=\(try format.identity(mallory.keyFile))", "--signer", mallory.keyFile.path,
        ] + values(("S1", planted[0]), ("PLANTED", planted[1])))
      try alice.commit("mallory's branch")
      try alice.gitOK(["checkout", "-q", "main"])
      try alice.set("S2", s2)
      try alice.commit("alice adds S2")

      let merge = try alice.git(["merge", "--no-edit", "mallory"])
      assertNoValue(merge, planted + [s1, s2], "\(variant): git merge")
      XCTAssertNotEqual(merge.status, 0, "\(variant): git merge took a store sealed to mallory")
      XCTAssertTrue(try alice.gitOK(["ls-files", "-u"]).contains("secrets.djsec"), "\(variant): the store is not left in conflict")
      try assertAttackerReadsNone(of: [s1, s2], in: alice.store, key: mallory.keyFile, "\(variant): the work tree after the merge")
      assertNoValue(try alice.djsec(["secret", "get", "S1"]), planted, "\(variant): secret get S1 during the conflict")
      assertNoValue(try alice.djsec(["secret", "export"]), planted, "\(variant): secret export during the conflict")
      try alice.djsec(["secret", "set", "S3", "--stdin"], stdin: s3)
      try assertAttackerReadsNone(of: [s1, s2, s3], in: alice.store, key: mallory.keyFile, "\(variant): the work tree after alice writes")
      try assertAttackerReadsNone(of: [s1, s2], in: try alice.storeAt("HEAD"), key: mallory.keyFile, "\(variant): alice's HEAD")
    }
  }

  /// Bob, removed (the data key rotated, then R changed), brings back the store
  /// as it was before his removal: on a branch that restores the old file as
  /// alice signed it, or that edits the old file with the old data key and is
  /// signed by bob. Neither merges; R never shows its old value or bob's, and
  /// bob opens nothing written since his removal.
  func testMergeDriverRefusesARemovedRecipientsOldCopy() throws {
    for variant in ["restored", "edited"] {
      let folder = try makeFolder(variant)
      let (rOld, rNew, other, later) = (fresh("r-old"), fresh("r-new"), fresh("other"), fresh("later"))
      let alice = try aliceWithStore(in: folder, secrets: [("R", rOld)])
      let bob = try Person.honest("bob", in: folder)
      let before = try removeBob(bob, from: alice, rotating: rNew)
      let bobs = [fresh("bob-r"), fresh("bob-new")]
      if variant == "restored" {
        try alice.gitOK(["checkout", "-q", "-b", "bob"])
        try Data(contentsOf: try alice.storeAt(before)).write(to: alice.store)
      } else {
        try alice.gitOK(["checkout", "-q", "-b", "bob", before])
        try format.edit(alice.store, key: bob.keyFile, values(("R", bobs[0]), ("BOB", bobs[1])))
      }
      try alice.commit("bob's branch")
      try alice.gitOK(["checkout", "-q", "main"])
      try alice.set("OTHER", other)
      try alice.commit("alice adds OTHER")

      let merge = try alice.git(["merge", "--no-edit", "bob"])
      assertNoValue(merge, [rOld, rNew, other] + bobs, "\(variant): git merge")
      XCTAssertNotEqual(merge.status, 0, "\(variant): git merge took a removed recipient's copy")
      XCTAssertTrue(try alice.gitOK(["ls-files", "-u"]).contains("secrets.djsec"), "\(variant): the store is not left in conflict")
      let get = try alice.djsec(["secret", "get", "R"])
      assertNoValue(get, [rOld] + bobs, "\(variant): secret get R during the conflict")
      if get.status == 0 { assertValue(get, rNew, "\(variant): secret get R during the conflict", quiet: false) }
      try alice.djsec(["secret", "set", "LATER", "--stdin"], stdin: later)
      try assertAttackerReadsNone(of: [rNew, other, later], in: alice.store, key: bob.keyFile, "\(variant): the work tree")
      try assertAttackerReadsNone(of: [rNew, other], in: try alice.storeAt("HEAD"), key: bob.keyFile, "\(variant): alice's HEAD")
    }
  }

  // MARK: b. Substitution

  /// Mallory replaces the store with her own (her data key, sealed to alice and
  /// herself, values of her choosing, signed by her), and it reaches alice as a
  /// fast-forward, where no merge driver runs: a new store; the same id with a
  /// much newer generation; the same id with mallory's key labelled "alice".
  /// djsec reads nothing from it, writes nothing to it, renders nothing from
  /// it, accepts it only when asked; refusing it leaves alice's trust record
  /// as it was.
  func testSubstitutedStoreIsRefused() throws {
    let folder = try makeFolder("substitution")
    let s1 = fresh("s1")
    let secretKey = try CLI.djsec(["keygen"]).stdout.trimmingCharacters(in: .newlines)
    let alice = try aliceWithStore(in: folder, secrets: [("SECRET_KEY", secretKey), ("S1", s1)])
    // render's deploy profile needs the host names (what `djsec init --host` stores); alice writes them herself.
    try format.edit(alice.store, key: alice.keyFile, ["--config", "hosts=example.com"])
    try alice.commit("hosts")
    let rendered = alice.home.appendingPathComponent("local_settings.py")
    try alice.ok(["render", "--out", rendered.path])
    let settings = try Data(contentsOf: rendered)
    let base = try alice.gitOK(["rev-parse", "HEAD"])
    let mallory = try format.attacker("mallory", in: folder)
    let malloryIdentity = try format.identity(mallory.keyFile)
    let aliceIdentity = try XCTUnwrap(try format.recipients(alice.store)["alice"])
    let variants: [(String, [String])] = [
      ("a new store", ["--recipient", "alice=\(aliceIdentity)", "--recipient", "mallory=\(malloryIdentity)"]),
      ("same id, newer generation", ["--like", alice.store.path, "--generation", "1000", "--recipient", "mallory=\(malloryIdentity)"]),
      (
        "same id, mallory labelled alice",
        [
          "--like", alice.store.path, "--drop-recipient", "alice", "--recipient", "alice=\(malloryIdentity)", "--recipient",
          "alice-laptop=\(aliceIdentity)",
        ]
      ),
    ]
    for (variant, sealing) in variants {
      // Where the file calls mallory "alice", only her key names her.
      let signer = try names(variant.contains("labelled alice") ? nil : "mallory", key: mallory.keyFile)
      let planted = [fresh("planted-key-\(UUID().uuidString)"), fresh("planted-s1"), fresh("planted-new")]
      let hidden = planted + [s1, secretKey]
      try alice.gitOK(["checkout", "-q", "-B", "mallory", base])
      try format.create(
        alice.store,
        sealing + ["--signer", mallory.keyFile.path]
          + values(("SECRET_KEY", planted[0]), ("S1", planted[1]), ("PLANTED", planted[2])))
      try alice.commit("mallory: \(variant)")
      try alice.gitOK(["checkout", "-q", "main"])
      try alice.gitOK(["merge", "-q", "--ff-only", "mallory"])
      let forged = try alice.storeBytes()

      assertUntrusted(try alice.djsec(["secret", "get", "S1"]), signer: signer, hiding: hidden, "\(variant): secret get")
      assertUntrusted(try alice.djsec(["secret", "export"]), signer: signer, hiding: hidden, "\(variant): secret export")
      let mine = fresh("mine")
      for (what, arguments, stdin) in [
        ("secret set", ["secret", "set", "MINE", "--stdin"], mine), ("rotate secret-key", ["rotate", "secret-key", "--no-render"], nil),
        ("rotate data-key", ["rotate", "data-key"], nil),
      ] {
        assertUntrusted(try alice.djsec(arguments, stdin: stdin), signer: signer, hiding: hidden + [mine], "\(variant): \(what)")
        XCTAssertEqual(try alice.storeBytes(), forged, "\(variant): \(what) wrote mallory's store")
        try assertAttackerReadsNone(of: [s1, secretKey, mine], in: alice.store, key: mallory.keyFile, "\(variant): \(what)")
        try forged.write(to: alice.store)  // each check on mallory's own file
      }
      assertUntrusted(
        try alice.djsec(["render", "--out", rendered.path]), signer: signer, hiding: hidden, "\(variant): render")
      XCTAssertEqual(try Data(contentsOf: rendered), settings, "\(variant): render replaced local_settings.py")
      // djsec trust asks on the terminal; with none (and "n" on stdin) it accepts nothing.
      let review = try alice.djsecWithoutTerminal(["trust"], stdin: "n\n")
      assertNoValue(review, hidden, "\(variant): djsec trust without a terminal")
      XCTAssertNotEqual(review.status, 0, "\(variant): djsec trust accepted without a yes")
      assertUntrusted(try alice.djsec(["secret", "get", "S1"]), signer: signer, hiding: hidden, "\(variant): secret get after trust")
      XCTAssertEqual(try alice.storeBytes(), forged, "\(variant): djsec trust without a yes wrote the store")

      // Back to her own store: reading it is as smooth as before.
      try alice.gitOK(["reset", "-q", "--hard", base])
      assertValue(try alice.djsec(["secret", "get", "S1"]), s1, "\(variant): secret get of alice's own store afterwards")
    }
  }

  // MARK: c. Rollback

  /// After `recipients remove bob` and a new R, alice checks out the older
  /// store: reading warns that it is older than the newest she has seen (and
  /// shows the value it held); every write is refused, so nothing new is ever
  /// sealed to bob through it.
  func testRolledBackStoreWarnsOnReadAndRefusesWrites() throws {
    let folder = try makeFolder("rollback")
    let (r1, r2, new) = (fresh("r1"), fresh("r2"), fresh("new"))
    let alice = try aliceWithStore(in: folder, secrets: [("R", r1)])
    let bob = try Person.honest("bob", in: folder)
    let before = try removeBob(bob, from: alice, rotating: r2)

    try alice.gitOK(["checkout", "-q", before])
    let old = try alice.storeBytes()
    let bobKnew = try format.readableValues(alice.store, key: bob.keyFile)
    let read = try alice.djsec(["secret", "get", "R"])
    XCTAssertEqual(read.status, 0, "secret get of the older store: \(read.stderr)")
    XCTAssertTrue(read.stdout == r1 + "\n", "secret get of the older store: not the value it holds")
    XCTAssertTrue(
      read.stderr.split(separator: "\n").contains { $0.hasPrefix("djsec: warning: ") && $0.contains("older than the newest") },
      "no warning that the store is older than the newest: \(read.stderr)")
    for (what, arguments, stdin) in [
      ("secret set", ["secret", "set", "NEW", "--stdin"], new), ("secret rm", ["secret", "rm", "R"], nil),
      ("rotate R", ["rotate", "R", "--generate", "--no-render"], nil), ("rotate data-key", ["rotate", "data-key"], nil),
    ] {
      let r = try alice.djsec(arguments, stdin: stdin)
      assertRefused(r, hiding: [new, r2], "\(what) on the older store")
      XCTAssertTrue(r.stderr.contains("older than the newest"), "\(what): the error does not say why: \(r.stderr)")
      XCTAssertEqual(try alice.storeBytes(), old, "\(what) wrote the older store")
      XCTAssertTrue(
        try format.readableValues(alice.store, key: bob.keyFile).isSubset(of: bobKnew), "\(what): sealed a new value to bob")
      try old.write(to: alice.store)  // each check on the older file itself
    }

    try alice.gitOK(["checkout", "-q", "main"])
    assertValue(try alice.djsec(["secret", "get", "R"]), r2, "secret get R back on main")
  }

  // MARK: d. Conflict markers

  /// Two branches merged without the driver leave git's conflict markers in
  /// the store: every command says so in one error line naming `djsec
  /// git-setup`, and writes nothing.
  /// Red-team finding: a trusted signer's older copy put back on top of a
  /// rotation (same data key, so no key was retired) must not be written on,
  /// rendered or merged: its SECRET_KEY is one the team rotated away from.
  func testOlderCopyPutBackOnTopOfARotationIsRefused() throws {
    let (k1, k2) = (fresh("k1"), fresh("k2"))
    let alice = try aliceWithStore(in: work, secrets: [("SECRET_KEY", k1), ("R", fresh("r"))])
    try alice.set("SECRET_KEY", k2)
    try alice.commit("rotate SECRET_KEY")
    // Someone who can push but holds no key puts the previous file back.
    try alice.gitOK(["show", "HEAD~1:secrets.djsec"]).write(to: alice.store, atomically: false, encoding: .utf8)
    try alice.commit("innocent-looking change")
    let read = try alice.djsec(["secret", "get", "SECRET_KEY"])
    XCTAssertEqual(read.status, 0, read.stderr)
    XCTAssertTrue(read.stderr.contains("replaced since (SECRET_KEY)"), read.stderr)
    let before = try alice.storeBytes()
    let out = alice.home.appendingPathComponent("out.py")
    for args in [["secret", "set", "X", "--stdin"], ["rotate", "R", "--generate", "--no-render"], ["render", "--out", out.path]] {
      let r = try alice.djsec(args, stdin: "x")
      assertRefused(r, hiding: [k1, k2], "\(args.prefix(2)) on an older copy")
      XCTAssertTrue(r.stderr.contains("replaced since (SECRET_KEY)"), r.stderr)
    }
    XCTAssertEqual(try alice.storeBytes(), before)
    XCTAssertFalse(FileManager.default.fileExists(atPath: out.path))
    // Bringing it back on purpose is possible, after review.
    let review = try alice.ok(["trust", "--yes"])
    XCTAssertTrue(review.stdout.contains("replaced since (SECRET_KEY)"), review.stdout)
    try alice.set("X", "x")
  }

  /// Second red team: config lines roll back too (`profile dev` pushed back
  /// over `deploy` would render DEBUG = True), and a shallow clone, where the
  /// history check cannot see the history, says so.
  func testConfigLinesRollBackTooAndAShallowCloneSaysItsCheckIsPartial() throws {
    let alice = try aliceWithStore(in: work, secrets: [("R", fresh("r"))])
    try format.edit(alice.store, key: alice.keyFile, ["--config", "profile=dev", "--config", "hosts=localhost"])
    try alice.commit("dev settings")
    try format.edit(alice.store, key: alice.keyFile, ["--config", "profile=deploy", "--config", "hosts=example.com"])
    try alice.commit("deploy settings")
    try alice.gitOK(["show", "HEAD~1:secrets.djsec"]).write(to: alice.store, atomically: false, encoding: .utf8)
    try alice.commit("innocent-looking change")
    let r = try alice.djsec(["secret", "set", "X", "--stdin"], stdin: "x")
    XCTAssertEqual(r.status, 2, r.stderr)
    XCTAssertTrue(r.stderr.contains("replaced since (config hosts, config profile)"), r.stderr)

    let shallow = work.appendingPathComponent("shallow")
    try alice.gitOK(["clone", "-q", "--depth", "1", "file://\(alice.repo.path)", shallow.path])
    let read = try CLI.run(
      CLI.binary, ["secret", "get", "R", "--store", shallow.appendingPathComponent("secrets.djsec").path], in: shallow,
      environment: alice.environment)
    XCTAssertEqual(read.status, 0, read.stderr)
    XCTAssertTrue(read.stderr.contains("saw only part of secrets.djsec's history"), read.stderr)
  }

  /// Second red team: pushing an old copy and then the current file again
  /// must not make the current values look replaced (a lockout with two
  /// keyless commits); the old copy itself stays refused.
  func testPushingTheCurrentFileBackAfterAnOldOneLocksNobodyOut() throws {
    let (k1, k2) = (fresh("k1"), fresh("k2"))
    let alice = try aliceWithStore(in: work, secrets: [("SECRET_KEY", k1)])
    try alice.set("SECRET_KEY", k2)
    try alice.commit("rotate SECRET_KEY")
    let current = try alice.storeBytes()
    try alice.gitOK(["show", "HEAD~1:secrets.djsec"]).write(to: alice.store, atomically: false, encoding: .utf8)
    try alice.commit("old copy")
    XCTAssertEqual(try alice.djsec(["secret", "set", "X", "--stdin"], stdin: "x").status, 2)
    try current.write(to: alice.store)
    try alice.commit("current copy again")
    try alice.set("X", "x")
    XCTAssertEqual(try alice.ok(["secret", "get", "SECRET_KEY"]).stdout, k2 + "\n")
  }

  /// Red-team finding: a file from a branch that forked before a rotation,
  /// copied onto main with a higher generation than main's, or merged in
  /// through the driver, brings the rotated SECRET_KEY back.
  func testAForkedBranchsFileCannotUndoARotation() throws {
    let (k1, k2) = (fresh("k1"), fresh("k2"))
    let alice = try aliceWithStore(in: work, secrets: [("SECRET_KEY", k1)])
    try alice.gitOK(["checkout", "-q", "-b", "feature"])
    try alice.set("FEATURE", fresh("f"))
    try alice.commit("feature")
    try alice.gitOK(["checkout", "-q", "main"])
    try alice.set("SECRET_KEY", k2)
    let rotation = try alice.commit("rotate SECRET_KEY")
    // More work on the feature branch: its generation passes main's.
    try alice.gitOK(["checkout", "-q", "feature"])
    for i in 0..<3 { try alice.set("FEATURE", "f\(i)") }
    try alice.commit("more feature")
    try alice.gitOK(["checkout", "-q", "main"])

    // Copied onto main by someone with push rights.
    try alice.gitOK(["show", "feature:secrets.djsec"]).write(to: alice.store, atomically: false, encoding: .utf8)
    let copied = try alice.commit("copy the feature's store")
    let r = try alice.djsec(["secret", "set", "Y", "--stdin"], stdin: "y")
    assertRefused(r, hiding: [k1, k2], "a write on the copied file")
    XCTAssertTrue(r.stderr.contains("replaced since (SECRET_KEY)"), r.stderr)
    try alice.gitOK(["reset", "-q", "--hard", "\(copied)~1"])
    try alice.set("OTHER", "o")
    try alice.commit("main moves on")

    // The same file on a branch forked at the rotation, merged with the driver.
    try alice.gitOK(["checkout", "-q", "-b", "sneaky", rotation])
    try alice.gitOK(["show", "feature:secrets.djsec"]).write(to: alice.store, atomically: false, encoding: .utf8)
    try alice.commit("sneaky")
    try alice.gitOK(["checkout", "-q", "main"])
    let merge = try alice.git(["merge", "--no-edit", "sneaky"])
    XCTAssertNotEqual(merge.status, 0, "the merge must not succeed: \(merge.stdout)")
    XCTAssertTrue(
      (merge.stdout + merge.stderr).contains("brings back values this branch replaced since (SECRET_KEY)"), merge.stdout + merge.stderr)
    try alice.gitOK(["merge", "--abort"])
    XCTAssertEqual(try alice.ok(["secret", "get", "SECRET_KEY"]).stdout, k2 + "\n")

    // An honest merge of the feature branch keeps the rotated key and takes the feature's values.
    try alice.gitOK(["merge", "-q", "--no-edit", "feature"])
    XCTAssertEqual(try alice.ok(["secret", "get", "SECRET_KEY"]).stdout, k2 + "\n")
    XCTAssertEqual(try alice.ok(["secret", "get", "FEATURE"]).stdout, "f2\n")
    try alice.set("Z", "z")
  }

  /// Red-team finding: a `.pub` file swapped in the repository for a removed
  /// recipient's identity gave that key access again without a word.
  func testARemovedKeyIsNotAddedBackQuietly() throws {
    let alice = try aliceWithStore(in: work, secrets: [("R", fresh("r"))])
    let mallory = try Person.honest("mallory", in: work)
    try alice.ok(["recipients", "add", mallory.pubFile.path])
    try alice.ok(["recipients", "remove", "mallory"])
    // "carol.pub" in the repository now holds mallory's identity.
    let carolPub = alice.repo.appendingPathComponent("carol.pub")
    let identity = try String(contentsOf: mallory.pubFile, encoding: .utf8).split(separator: " ")[0]
    try "\(identity) carol\n".write(to: carolPub, atomically: true, encoding: .utf8)
    let before = try alice.storeBytes()
    let r = try alice.djsec(["recipients", "add", carolPub.path])
    XCTAssertEqual(r.status, 2, r.stderr)
    XCTAssertTrue(r.stderr.contains("refusing to add carol: that key was removed from the store (as mallory)"), r.stderr)
    XCTAssertTrue(r.stderr.contains("--again"), r.stderr)
    XCTAssertEqual(try alice.storeBytes(), before)
    XCTAssertFalse(try format.opens(alice.store, key: mallory.keyFile))
    // On purpose, it is possible, and the output names the key's fingerprint.
    let again = try alice.ok(["recipients", "add", carolPub.path, "--again"])
    XCTAssertTrue(again.stdout.contains("added carol (fingerprint "), again.stdout)
  }

  /// Red-team finding: textconv decrypted stores anyone signed, so a pushed
  /// store of guesses sealed to the CI key showed matching digests in a log.
  func testTextconvDecryptsNothingOfAnUntrustedStore() throws {
    let password = fresh("pw")
    let alice = try aliceWithStore(in: work, secrets: [("DB_PASSWORD", password)])
    let mine = try alice.ok(["textconv", "secrets.djsec"]).stdout
    XCTAssertTrue(mine.contains("DB_PASSWORD = <digest "), mine)
    XCTAssertFalse(mine.contains(password))
    let mallory = try format.attacker("mallory", in: work)
    let guess = work.appendingPathComponent("guess.djsec")
    try format.create(
      guess,
      [
        "--recipient", "alice=\(try format.identity(alice.keyFile))", "--recipient", "mallory=\(try format.identity(mallory.keyFile))",
        "--signer", mallory.keyFile.path,
      ] + values(("DB_PASSWORD", password)))
    let theirs = try alice.ok(["textconv", guess.path]).stdout
    XCTAssertTrue(theirs.contains("DB_PASSWORD = <not decrypted: untrusted>"), theirs)
    XCTAssertFalse(theirs.contains("<digest"), theirs)
  }

  func testConflictMarkersNameGitSetup() throws {
    let folder = try makeFolder("markers")
    let alice = try aliceWithStore(in: folder, secrets: [("A", fresh("a")), ("B", fresh("b"))], gitSetup: false)
    try alice.gitOK(["checkout", "-q", "-b", "left"])
    try alice.set("A", fresh("a-left"))
    try alice.commit("left changes A")
    try alice.gitOK(["checkout", "-q", "main"])
    let bMain = fresh("b-main")
    try alice.set("B", bMain)
    try alice.commit("main changes B")
    XCTAssertNotEqual(try alice.git(["merge", "--no-edit", "left"]).status, 0, "git merged two stores line by line")
    let marked = try alice.storeBytes()
    XCTAssertTrue(String(decoding: marked, as: UTF8.self).contains("\n<<<<<<< "), "no conflict markers in the store")
    for (what, arguments, stdin) in [
      ("secret get", ["secret", "get", "B"], nil), ("secret list", ["secret", "list"], nil),
      ("secret set", ["secret", "set", "C", "--stdin"], fresh("c")),
    ] {
      let r = try alice.djsec(arguments, stdin: stdin)
      assertRefused(r, hiding: [bMain], "\(what) on a store with conflict markers")
      XCTAssertTrue(r.stderr.contains("djsec git-setup"), "\(what): the error does not name 'djsec git-setup': \(r.stderr)")
      XCTAssertEqual(try alice.storeBytes(), marked, "\(what) wrote the store")
      try marked.write(to: alice.store)
    }
  }

  // MARK: e. The team's own flow

  /// Alice makes the store; bob makes a key on his machine and alice adds his
  /// .pub; bob clones, reviews the store once (first contact), writes; alice
  /// pulls and reads with no trust step; carol, added by alice, rotates the
  /// data key and alice reads on; two branches that each add a secret merge
  /// cleanly through the driver, and carol reads the merge with no trust step.
  func testTeamFlowStaysSmooth() throws {
    let folder = try makeFolder("team")
    let origin = folder.appendingPathComponent("origin.git")
    let alice = try Person.honest("alice", in: folder)
    try alice.gitOK(["init", "-q", "--bare", "-b", "main", origin.path], in: folder)
    try alice.makeRepo()
    try alice.gitOK(["remote", "add", "origin", origin.path])
    try alice.ok(["git-setup"])
    let (s1, s2, feature, mainOnly) = (fresh("s1"), fresh("s2"), fresh("feature"), fresh("main-only"))
    try alice.set("S1", s1)
    try alice.commit("secrets")
    try alice.gitOK(["push", "-q", "-u", "origin", "main"])
    let aliceIdentity = try format.identity(alice.keyFile)
    let aliceNames = try names("alice", key: alice.keyFile)

    let bob = try Person.honest("bob", in: folder)
    try alice.ok(["recipients", "add", bob.pubFile.path])
    try alice.commit("bob joins")
    try alice.gitOK(["push", "-q"])
    try bob.gitOK(["clone", "-q", origin.path, bob.repo.path], in: bob.home)
    try bob.ok(["git-setup"])
    assertUntrusted(try bob.djsec(["secret", "get", "S1"]), signer: aliceNames, hiding: [s1], "bob's first contact")
    let trust = try bob.ok(["trust", "--yes"])
    assertNoValue(trust, [s1], "djsec trust --yes")
    XCTAssertTrue((trust.stdout + trust.stderr).contains(aliceIdentity), "djsec trust does not show the signer's identity")
    assertValue(try bob.djsec(["secret", "get", "S1"]), s1, "bob reads S1 after djsec trust")
    try bob.set("S2", s2)
    try bob.commit("bob adds S2")
    try bob.gitOK(["push", "-q"])

    try alice.gitOK(["pull", "-q", "--ff-only"])
    assertValue(try alice.djsec(["secret", "get", "S2"]), s2, "alice reads bob's S2")
    let byBob = try format.show(alice.store, key: alice.keyFile, values: false)
    XCTAssertEqual(byBob.signerLabel, "bob")
    XCTAssertTrue(byBob.macOk && byBob.signatureOk, "bob's write does not verify")

    let carol = try Person.honest("carol", in: folder)
    try alice.ok(["recipients", "add", carol.pubFile.path])
    try alice.commit("carol joins")
    try alice.gitOK(["push", "-q"])
    try carol.gitOK(["clone", "-q", origin.path, carol.repo.path], in: carol.home)
    try carol.ok(["git-setup"])
    try carol.ok(["trust", "--yes"])
    try carol.ok(["rotate", "data-key"])
    try carol.commit("carol rotates the data key")
    try carol.gitOK(["push", "-q"])
    try alice.gitOK(["pull", "-q", "--ff-only"])
    assertValue(try alice.djsec(["secret", "get", "S1"]), s1, "alice reads S1 after carol's rotation")
    assertValue(try alice.djsec(["secret", "get", "S2"]), s2, "alice reads S2 after carol's rotation")
    let rotated = try format.show(alice.store, key: alice.keyFile, values: false)
    XCTAssertNotEqual(rotated.fingerprint, byBob.fingerprint, "carol's rotation kept the data key")
    XCTAssertEqual(rotated.signerLabel, "carol")

    try carol.gitOK(["checkout", "-q", "-b", "feature"])
    try carol.set("FEATURE", feature)
    try carol.commit("carol adds FEATURE")
    try carol.gitOK(["push", "-q", "origin", "feature"])
    try alice.set("MAIN_ONLY", mainOnly)
    try alice.commit("alice adds MAIN_ONLY")
    try alice.gitOK(["fetch", "-q", "origin"])
    let merge = try alice.git(["merge", "--no-edit", "origin/feature"])
    let said = assertNoValue(merge, [s1, s2, feature, mainOnly], "git merge")
    XCTAssertEqual(merge.status, 0, "two branches that each add a secret did not merge: \(said)")
    for (name, value) in [("S1", s1), ("S2", s2), ("FEATURE", feature), ("MAIN_ONLY", mainOnly)] {
      assertValue(try alice.djsec(["secret", "get", name]), value, "alice reads \(name) after the merge")
    }
    let merged = try format.show(alice.store, key: alice.keyFile, values: false)
    let ours = try format.show(try alice.storeAt("HEAD^1"), key: alice.keyFile, values: false)
    let theirs = try format.show(try alice.storeAt("HEAD^2"), key: alice.keyFile, values: false)
    XCTAssertTrue(merged.macOk && merged.signatureOk, "the merged store does not verify")
    XCTAssertEqual(merged.signerLabel, "alice")
    XCTAssertGreaterThan(merged.generation ?? 0, max(ours.generation ?? 0, theirs.generation ?? 0), "the merge's generation")
    try alice.gitOK(["push", "-q"])
    try carol.gitOK(["checkout", "-q", "main"])
    try carol.gitOK(["pull", "-q", "--ff-only"])
    assertValue(try carol.djsec(["secret", "get", "MAIN_ONLY"]), mainOnly, "carol reads the merged store")
  }

  // MARK: f. CI

  /// A fresh clone in CI, with the job's key in DJSEC_PRIVATE_KEY and alice's
  /// identity (from `djsec recipients list`) in DJSEC_TRUSTED_KEYS, renders
  /// local_settings.py of a real Django project. A store signed by anyone
  /// else is refused, even a recipient: mallory's own store, or mallory's
  /// write after alice added her. Without DJSEC_TRUSTED_KEYS (and no trust
  /// record) even alice's store is refused, as first contact.
  func testCIRendersOnlyStoresSignedByTrustedKeys() throws {
    let project = try CLI.startProject("trust-ci", python: try CLI.python())
    defer { try? FileManager.default.removeItem(at: project) }
    let folder = try makeFolder("ci")
    let alice = try Person.honest("alice", in: folder)
    alice.repo = project.appendingPathComponent("demo")
    try alice.gitOK(["init", "-q", "-b", "main"])
    try alice.ok(["init", ".", "--host", "example.com"])
    let password = fresh("db")
    try alice.set("DB_PASSWORD", password)
    let ci = try Person.honest("ci", in: folder)
    try alice.ok(["recipients", "add", ci.pubFile.path])
    try alice.commit("project with secrets")
    let listed = try alice.ok(["recipients", "list"]).stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
    let aliceIdentity = try XCTUnwrap(listed.first { $0.first == "alice" }?.last)
    XCTAssertEqual(aliceIdentity, try format.identity(alice.keyFile), "recipients list and FORMAT.md disagree on alice's identity")
    let aliceSign = try format.signPublic(alice.keyFile)
    let jobKey = try ci.privateKeyBase64

    var clones = 0
    func clone() throws -> URL {
      clones += 1
      let url = folder.appendingPathComponent("ci-clone-\(clones)")
      try alice.gitOK(["clone", "-q", alice.repo.path, url.path], in: folder)
      return url
    }
    /// The job: its key and its trusted identities from its own configuration, no trust record.
    func render(_ clone: URL, trusting trusted: String?) throws -> Run {
      var env = [
        "XDG_STATE_HOME": folder.appendingPathComponent("state-\(UUID().uuidString)").path,
        "XDG_CONFIG_HOME": folder.appendingPathComponent("config-\(UUID().uuidString)").path, "DJSEC_PRIVATE_KEY": jobKey,
      ]
      if let trusted { env["DJSEC_TRUSTED_KEYS"] = trusted }
      return try CLI.run(CLI.binary, ["render"], in: clone, environment: env)
    }
    func settings(_ clone: URL) -> URL { clone.appendingPathComponent("demo/local_settings.py") }

    let someone = try format.identity(try format.attacker("someone", in: folder).keyFile)
    for trusted in [aliceIdentity, aliceSign, "\(someone),\n\(aliceIdentity)", "\(someone) \(aliceSign)"] {
      let c = try clone()
      let r = try render(c, trusting: trusted)
      XCTAssertEqual(r.status, 0, "render in CI: \(r.stderr)")
      let text = (try? String(contentsOf: settings(c), encoding: .utf8)) ?? ""
      XCTAssertTrue(text.contains("DB_PASSWORD = \"\(password)\""), "local_settings.py does not hold DB_PASSWORD")
    }
    let untrusting = try clone()
    assertUntrusted(
      try render(untrusting, trusting: nil), signer: try names("alice", key: alice.keyFile), hiding: [password],
      "render with no trusted keys")
    XCTAssertFalse(FileManager.default.fileExists(atPath: settings(untrusting).path), "rendered with no trusted keys")

    let mallory = try format.attacker("mallory", in: folder)
    let malloryNames = try names("mallory", key: mallory.keyFile)
    let planted = [fresh("planted-key-\(UUID().uuidString)"), fresh("planted-db")]
    let forged = try clone()
    let forgedStore = forged.appendingPathComponent("secrets.djsec")
    try format.create(
      forgedStore,
      ["--like", forgedStore.path, "--recipient", "mallory=\(try format.identity(mallory.keyFile))", "--signer", mallory.keyFile.path]
        + values(("SECRET_KEY", planted[0]), ("DB_PASSWORD", planted[1])))
    let forgedBytes = try Data(contentsOf: forgedStore)
    for trusted in [aliceIdentity, nil] {
      let what = "render of mallory's own store, trusting \(trusted == nil ? "nobody" : "alice")"
      assertUntrusted(try render(forged, trusting: trusted), signer: malloryNames, hiding: planted + [password], what)
      XCTAssertFalse(FileManager.default.fileExists(atPath: settings(forged).path), "\(what): wrote local_settings.py")
      XCTAssertEqual(try Data(contentsOf: forgedStore), forgedBytes, "\(what): wrote the store")
    }

    try alice.ok(["recipients", "add", mallory.pubFile.path])
    try alice.commit("mallory joins")
    let insider = try clone()
    try format.edit(insider.appendingPathComponent("secrets.djsec"), key: mallory.keyFile, values(("DB_PASSWORD", planted[1])))
    assertUntrusted(
      try render(insider, trusting: aliceIdentity), signer: malloryNames, hiding: planted + [password], "render of a recipient's write")
    XCTAssertFalse(FileManager.default.fileExists(atPath: settings(insider).path), "rendered a write by a recipient the job does not trust")
  }

  // MARK: g. Version 1

  /// A version 1 store (unsigned, written by the independent implementation)
  /// is refused with a hint naming `djsec trust`; `djsec trust --yes` rewrites
  /// it as version 2 with the same id and data key, signed by alice, and the
  /// value reads again.
  func testVersion1StoreOpensOnlyThroughTrust() throws {
    let folder = try makeFolder("v1")
    let alice = try Person.honest("alice", in: folder)
    try alice.makeRepo()
    let token = fresh("token")
    try format.create(
      alice.store,
      ["--version", "1", "--recipient", "alice=\(alice.pubFile.path)", "--config", "hosts=example.com"] + values(("TOKEN", token)))
    let v1 = try format.show(alice.store, key: alice.keyFile, values: false)
    XCTAssertEqual(v1.version, 1)

    let refused = try alice.djsec(["secret", "get", "TOKEN"])
    assertRefused(refused, hiding: [token], "secret get of a version 1 store")
    XCTAssertTrue(refused.stderr.contains("djsec trust"), "no hint naming 'djsec trust': \(refused.stderr)")
    assertNoValue(try alice.ok(["trust", "--yes"]), [token], "djsec trust --yes")
    let text = try String(contentsOf: alice.store, encoding: .utf8)
    XCTAssertTrue(
      text.hasPrefix("# djsec encrypted secrets: safe to commit. Change them with djsec only (see docs/FORMAT.md).\ndjsec-store: 2\n"),
      "djsec trust did not rewrite the store as version 2")
    assertValue(try alice.djsec(["secret", "get", "TOKEN"]), token, "secret get after djsec trust")
    let v2 = try format.show(alice.store, key: alice.keyFile)
    XCTAssertEqual(v2.version, 2)
    XCTAssertTrue(v2.macOk, "the upgraded store's MAC does not verify")
    XCTAssertTrue(v2.signatureOk, "the upgraded store's signature does not verify")
    XCTAssertEqual(v2.signer, try format.signPublic(alice.keyFile), "not signed by alice")
    XCTAssertEqual(v2.id, v1.id, "the upgrade changed the store id")
    XCTAssertEqual(v2.fingerprint, v1.fingerprint, "the upgrade changed the data key")
    XCTAssertTrue(v2.values["TOKEN"] == .some(token), "TOKEN does not decrypt under the value key")
  }

  // MARK: h. A removed recipient who kept the old data key

  /// Bob kept the store from before his removal, and with it the old data key.
  /// Nothing he makes with it is accepted after the rotation: the old file
  /// with a newer generation signed by him; the current id and recipients
  /// under the old key, signed by him (labelled bob, or labelled alice with
  /// alice's real key relabelled); the same under alice's own signature line;
  /// the same signed by him while he is no recipient at all.
  func testRemovedRecipientWithTheOldDataKeyIsRefused() throws {
    let folder = try makeFolder("old-key")
    let (r1, r2) = (fresh("r1"), fresh("r2"))
    let alice = try aliceWithStore(in: folder, secrets: [("R", r1)])
    let bob = try Person.honest("bob", in: folder)
    let kept = try alice.storeAt(try removeBob(bob, from: alice, rotating: r2))
    let current = try alice.storeAt("HEAD")
    let currentBytes = try alice.storeBytes()
    XCTAssertFalse(try format.opens(current, key: bob.keyFile), "bob still opens the store after his removal")

    let bobIdentity = try format.identity(bob.keyFile)
    let aliceIdentity = try XCTUnwrap(try format.recipients(current)["alice"])
    let store = alice.store.path
    let oldKey = ["--data-key-from", kept.path, "--data-key-key", bob.keyFile.path]
    let bobSigns = ["--signer", bob.keyFile.path]
    let attempts: [(String, [String])] = [
      ("the old file, newer generation", ["edit", kept.path, "--key", bob.keyFile.path, "--out", store, "--generation", "1000"]),
      ("old key, bob added", ["create", store, "--like", current.path, "--recipient", "bob=\(bobIdentity)"] + oldKey + bobSigns),
      (
        "old key, bob labelled alice",
        [
          "create", store, "--like", current.path, "--drop-recipient", "alice", "--recipient", "alice=\(bobIdentity)", "--recipient",
          "alice-laptop=\(aliceIdentity)",
        ] + oldKey + bobSigns
      ),
      ("old key, alice's signature line", ["create", store, "--like", current.path, "--signature-from", current.path] + oldKey),
      ("old key, bob no recipient", ["create", store, "--like", current.path] + oldKey + bobSigns),
    ]
    for (attempt, arguments) in attempts {
      let planted = [fresh("planted-r"), fresh("planted-new")]
      try format.run(arguments + [] + values(("R", planted[0]), ("BOB", planted[1])))
      let forged = try alice.storeBytes()
      assertRefused(try alice.djsec(["secret", "get", "R"]), hiding: planted, "\(attempt): secret get")
      assertRefused(try alice.djsec(["secret", "export"]), hiding: planted, "\(attempt): secret export")
      let mine = fresh("mine")
      for (what, arguments, stdin) in [
        ("secret set", ["secret", "set", "MINE", "--stdin"], mine), ("rotate data-key", ["rotate", "data-key"], nil),
      ] {
        assertRefused(try alice.djsec(arguments, stdin: stdin), hiding: planted + [mine], "\(attempt): \(what)")
        XCTAssertEqual(try alice.storeBytes(), forged, "\(attempt): \(what) wrote bob's store")
        try assertAttackerReadsNone(of: [r2, mine], in: alice.store, key: bob.keyFile, "\(attempt): \(what)")
        try forged.write(to: alice.store)
      }

      try currentBytes.write(to: alice.store)
      assertValue(try alice.djsec(["secret", "get", "R"]), r2, "\(attempt): secret get of alice's own store afterwards")
    }
  }

  // MARK: i. Subkeys, signatures, identities

  /// What djsec writes, the independent implementation reads: the value under
  /// subkey 1 with its associated data, the MAC under subkey 2, alice's
  /// signature with the key derived from hers, her identity in the recipient
  /// line, `recipients list`, `keys pub` and her .pub. What it writes signed
  /// with alice's own key (a trusted recipient's write), djsec reads; djsec's
  /// next write keeps every unchanged ciphertext and counts the generation on.
  func testIndependentImplementationAndDjsecReadEachOther() throws {
    let folder = try makeFolder("subkeys")
    let (a, b, m) = (fresh("a"), fresh("b"), fresh("m"))
    let alice = try aliceWithStore(in: folder, secrets: [("A", a)], gitSetup: false)
    let identity = try format.identity(alice.keyFile)
    let written = try format.show(alice.store, key: alice.keyFile)
    XCTAssertEqual(written.version, 2)
    XCTAssertTrue(written.macOk, "the MAC is not BLAKE2b-256 under subkey 2")
    XCTAssertTrue(written.signatureOk, "the signature does not verify with the recipient's SIGN-PUBLIC")
    XCTAssertEqual(written.signer, try format.signPublic(alice.keyFile), "the signing key is not derived from alice's key")
    XCTAssertEqual(written.recipients, ["alice": identity])
    XCTAssertTrue(written.values["A"] == .some(a), "A does not decrypt under subkey 1 with its associated data")
    let pubFile = try String(contentsOf: alice.pubFile, encoding: .utf8)
    XCTAssertEqual(pubFile, "\(identity) alice\n", "keys/alice.pub")
    XCTAssertEqual(try alice.ok(["recipients", "list"]).stdout, "alice \(identity)\n")
    let pub = try alice.djsec(["keys", "pub", "--name", "alice"], in: alice.home)
    XCTAssertEqual(pub.status, 0, "djsec keys pub: \(pub.stderr)")
    XCTAssertEqual(pub.stdout.split(separator: " ").first.map(String.init), identity, "djsec keys pub")

    func line(_ name: String) throws -> String? {
      try String(contentsOf: alice.store, encoding: .utf8).split(separator: "\n").map(String.init).first {
        $0.hasPrefix("secret: \(name) ")
      }
    }
    let lineA = try line("A")
    try format.edit(alice.store, key: alice.keyFile, values(("FROM_MODULE", m)))
    assertValue(try alice.djsec(["secret", "get", "FROM_MODULE"]), m, "secret get of a value the independent implementation wrote")
    assertValue(try alice.djsec(["secret", "get", "A"]), a, "secret get A after the independent write")
    try alice.set("B", b)
    let after = try format.show(alice.store, key: alice.keyFile)
    XCTAssertTrue(after.macOk && after.signatureOk, "djsec's write after the independent one does not verify")
    XCTAssertEqual(after.generation, (written.generation ?? 0) + 2, "generation after two writes")
    XCTAssertTrue(after.values == ["A": a, "B": b, "FROM_MODULE": m], "the values after djsec's write")
    XCTAssertEqual(try line("A"), lineA, "an unchanged value's ciphertext changed")
  }

  // MARK: Size

  /// 100,000 entries built by the independent implementation and signed with
  /// alice's key: `rotate data-key` re-encrypts them all within a minute and
  /// half a GiB, and the last entry reads afterwards.
  func testHundredThousandEntriesRotate() throws {
    let folder = try makeFolder("large")
    let first = fresh("first")
    let alice = try aliceWithStore(in: folder, secrets: [("FIRST", first)], gitSetup: false)
    try format.edit(alice.store, key: alice.keyFile, ["--fill", "100000"])
    let before = try format.show(alice.store, key: alice.keyFile, values: false)
    XCTAssertEqual(before.count, 100_001)

    // The child's peak resident memory, measured by the test python (getrusage).
    let measure = """
      import resource, subprocess, sys
      code = subprocess.run(sys.argv[1:]).returncode
      print("peak-kb", resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
      sys.exit(code)
      """
    let start = Date()
    let r = try CLI.run(
      format.python, ["-c", measure, CLI.binary.path, "rotate", "data-key"], in: alice.repo, environment: alice.environment)
    let seconds = Date().timeIntervalSince(start)
    XCTAssertEqual(r.status, 0, "rotate data-key on 100,000 entries: \(r.stderr.prefix(300))")
    XCTAssertLessThan(seconds, 60, "rotate data-key on 100,000 entries took \(Int(seconds)) s")
    let peak = r.stderr.split(separator: "\n").last { $0.hasPrefix("peak-kb ") }.flatMap { Int($0.dropFirst("peak-kb ".count)) }
    XCTAssertLessThan(try XCTUnwrap(peak, "no peak memory measured"), 512 * 1024, "peak memory of rotate data-key, in KiB")
    assertValue(try alice.djsec(["secret", "get", "FILL_099999"]), "fill value 99999", "the last entry after the rotation")
    assertValue(try alice.djsec(["secret", "get", "FIRST"]), first, "the first entry after the rotation")
    let after = try format.show(alice.store, key: alice.keyFile, values: false)
    XCTAssertTrue(after.macOk && after.signatureOk, "the rotated store does not verify")
    XCTAssertEqual(after.count, 100_001)
    XCTAssertNotEqual(after.fingerprint, before.fingerprint, "rotate data-key kept the data key")
  }
}

// MARK: - People and the independent implementation

/// One person on their own machine, for the trust tests: a home folder with
/// keys/, their own XDG state (where djsec keeps trust records) and config,
/// and their own git clone. djsec finds their key through DJSEC_KEY_FILE.
private final class Person {
  let label: String
  let home: URL
  var repo: URL

  init(_ label: String, in folder: URL) throws {
    self.label = label
    home = folder.appendingPathComponent(label)
    repo = home.appendingPathComponent("repo")
    try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
  }

  /// Someone whose key djsec made (`djsec keys new` in their home folder), as a teammate's would be.
  static func honest(_ label: String, in folder: URL, file: StaticString = #filePath, line: UInt = #line) throws -> Person {
    let person = try Person(label, in: folder)
    let made = try person.djsec(["keys", "new", "--name", label], in: person.home)
    XCTAssertEqual(made.status, 0, "djsec keys new: \(made.stderr)", file: file, line: line)
    return person
  }

  var keyFile: URL { home.appendingPathComponent("keys/\(label).key") }
  var pubFile: URL { home.appendingPathComponent("keys/\(label).pub") }
  var store: URL { repo.appendingPathComponent("secrets.djsec") }

  var environment: [String: String] {
    [
      "XDG_STATE_HOME": home.appendingPathComponent("state").path, "XDG_CONFIG_HOME": home.appendingPathComponent("config").path,
      "DJSEC_KEY_FILE": keyFile.path, "GIT_AUTHOR_NAME": label, "GIT_AUTHOR_EMAIL": "\(label)@example.invalid",
      "GIT_COMMITTER_NAME": label, "GIT_COMMITTER_EMAIL": "\(label)@example.invalid", "GIT_MERGE_AUTOEDIT": "no",
    ]
  }

  /// The private key as DJSEC_PRIVATE_KEY takes it: the `private:` line of the key file.
  var privateKeyBase64: String {
    get throws {
      let text = try String(contentsOf: keyFile, encoding: .utf8)
      let line = text.split(separator: "\n").first { $0.hasPrefix("private: ") }
      return String(try XCTUnwrap(line).dropFirst("private: ".count))
    }
  }

  @discardableResult
  func djsec(_ arguments: [String], stdin: String? = nil, in directory: URL? = nil) throws -> Run {
    try CLI.run(CLI.binary, arguments, in: directory ?? repo, stdin: stdin, environment: environment)
  }

  /// djsec that must succeed.
  @discardableResult
  func ok(_ arguments: [String], stdin: String? = nil, file: StaticString = #filePath, line: UInt = #line) throws -> Run {
    let r = try djsec(arguments, stdin: stdin)
    XCTAssertEqual(r.status, 0, "\(label): djsec \(arguments.prefix(2).joined(separator: " ")): \(r.stderr)", file: file, line: line)
    return r
  }

  func set(_ name: String, _ value: String, file: StaticString = #filePath, line: UInt = #line) throws {
    try ok(["secret", "set", name, "--stdin"], stdin: value, file: file, line: line)
  }

  /// djsec in a session of its own, with no controlling terminal: what it asks
  /// "on the terminal" it cannot ask, and it never blocks on the tester's.
  @discardableResult
  func djsecWithoutTerminal(_ arguments: [String], stdin: String? = nil) throws -> Run {
    try CLI.run(
      URL(fileURLWithPath: "/usr/bin/setsid"), ["--wait", CLI.binary.path] + arguments, in: repo, stdin: stdin, environment: environment)
  }

  /// git as this person (the merge driver it runs sees their keys and trust records).
  @discardableResult
  func git(_ arguments: [String], in directory: URL? = nil) throws -> Run {
    try CLI.run(URL(fileURLWithPath: "/usr/bin/git"), arguments, in: directory ?? repo, environment: environment)
  }

  /// git that must succeed; its output, trimmed.
  @discardableResult
  func gitOK(_ arguments: [String], in directory: URL? = nil, file: StaticString = #filePath, line: UInt = #line) throws -> String {
    let r = try git(arguments, in: directory)
    XCTAssertEqual(r.status, 0, "\(label): git \(arguments.joined(separator: " ")): \(r.stderr)", file: file, line: line)
    return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// A new repository with manage.py, so djsec finds the store beside it.
  func makeRepo() throws {
    try FileManager.default.createDirectory(at: repo, withIntermediateDirectories: true)
    try gitOK(["init", "-q", "-b", "main"])
    try "# a Django project\n".write(to: repo.appendingPathComponent("manage.py"), atomically: true, encoding: .utf8)
  }

  /// Commits everything in the work tree; returns the commit id.
  @discardableResult
  func commit(_ message: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
    try gitOK(["add", "-A"], file: file, line: line)
    try gitOK(["commit", "-q", "-m", message], file: file, line: line)
    return try gitOK(["rev-parse", "HEAD"], file: file, line: line)
  }

  /// The store as committed at `revision`, in a file of its own.
  func storeAt(_ revision: String) throws -> URL {
    let r = try git(["show", "\(revision):secrets.djsec"])
    XCTAssertEqual(r.status, 0, "git show \(revision):secrets.djsec: \(r.stderr)")
    let url = home.appendingPathComponent("at-\(UUID().uuidString).djsec")
    try Data(r.stdout.utf8).write(to: url)
    return url
  }

  func storeBytes() throws -> Data { try Data(contentsOf: store) }
}

/// Tests/attack/djsec_format.py: an independent implementation of
/// docs/FORMAT.md. The attacker's only tool, and the witness of what djsec wrote.
private struct Format {
  let python: URL
  static let script = CLI.packageRoot.appendingPathComponent("Tests/attack/djsec_format.py")

  /// Runs a command; the assertion message names the command only, never its
  /// arguments (they carry values).
  @discardableResult
  func run(_ arguments: [String], status: Int32? = 0, file: StaticString = #filePath, line: UInt = #line) throws -> Run {
    let r = try CLI.run(python, [Self.script.path] + arguments)
    if let status {
      XCTAssertEqual(r.status, status, "djsec_format.py \(arguments.first ?? ""): \(r.stderr)", file: file, line: line)
    }
    return r
  }

  /// An attacker whose key this module made, never djsec.
  func attacker(_ label: String, in folder: URL) throws -> Person {
    let person = try Person(label, in: folder)
    try run(["keygen", person.home.appendingPathComponent("keys").path, label])
    return person
  }

  func identity(_ key: URL) throws -> String {
    try run(["identity", key.path]).stdout.trimmingCharacters(in: .newlines)
  }

  func signPublic(_ key: URL) throws -> String {
    try run(["identity", key.path, "--sign-public"]).stdout.trimmingCharacters(in: .newlines)
  }

  /// LABEL -> identity, from the store's recipient lines (public data anyone can read).
  func recipients(_ store: URL) throws -> [String: String] {
    var out: [String: String] = [:]
    for line in try run(["recipients", store.path]).stdout.split(separator: "\n") {
      let words = line.split(separator: " ")
      out[String(words[0])] = String(words[1])
    }
    return out
  }

  func opens(_ store: URL, key: URL) throws -> Bool {
    try run(["opens", store.path, "--key", key.path]).stdout == "yes\n"
  }

  struct Shown: Decodable {
    var version: Int
    var id: String
    var generation: Int?
    var recipients: [String: String]
    var signer: String?
    var signerLabel: String?
    var macOk: Bool
    var signatureOk: Bool
    var fingerprint: String
    var count: Int
    var values: [String: String?]
  }

  /// Everything `key` can check and read in `store`.
  func show(_ store: URL, key: URL, values: Bool = true, file: StaticString = #filePath, line: UInt = #line) throws -> Shown {
    let r = try run(["show", store.path, "--key", key.path] + (values ? [] : ["--no-values"]), file: file, line: line)
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    return try decoder.decode(Shown.self, from: Data(r.stdout.utf8))
  }

  /// The values `key` can decrypt in `store`: none when it opens nothing or the file does not parse.
  func readableValues(_ store: URL, key: URL) throws -> Set<String> {
    let r = try run(["show", store.path, "--key", key.path], status: nil)
    guard r.status == 0 else { return [] }
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    return Set(try decoder.decode(Shown.self, from: Data(r.stdout.utf8)).values.values.compactMap { $0 })
  }

  func create(_ out: URL, _ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws {
    try run(["create", out.path] + arguments, file: file, line: line)
  }

  func edit(_ store: URL, key: URL, _ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws {
    try run(["edit", store.path, "--key", key.path] + arguments, file: file, line: line)
  }
}

/// The run's stderr, to quote in a message; withheld when it holds one of `values`.
private func quotable(_ r: Run, hiding values: [String]) -> String {
  values.contains { r.stderr.contains($0) } ? "<stderr withheld: it holds a value>" : r.stderr
}

/// Fails when any of `values` shows up in the run's output. Returns the stderr
/// to quote in further messages, withheld when it holds a value.
@discardableResult
private func assertNoValue(_ r: Run, _ values: [String], _ what: String, file: StaticString = #filePath, line: UInt = #line) -> String {
  let leaked = values.filter { r.stdout.contains($0) || r.stderr.contains($0) }
  XCTAssertTrue(leaked.isEmpty, "\(what): printed \(leaked.count) value(s) it must not", file: file, line: line)
  return quotable(r, hiding: values)
}

/// Exit 0, exactly `expected` on stdout, nothing on stderr; the message never shows the value.
private func assertValue(
  _ r: Run, _ expected: String, _ what: String, quiet: Bool = true, file: StaticString = #filePath, line: UInt = #line
) {
  XCTAssertEqual(r.status, 0, "\(what): \(r.stderr)", file: file, line: line)
  XCTAssertTrue(r.stdout == expected + "\n", "\(what): not the expected value (\(r.stdout.count) bytes)", file: file, line: line)
  if quiet { XCTAssertEqual(r.stderr, "", "\(what): says something on stderr", file: file, line: line) }
}

/// djsec refused: exit 2, nothing on stdout, exactly one `djsec: error:` line,
/// every stderr line in djsec's voice, none of `values` anywhere.
private func assertRefused(_ r: Run, hiding values: [String], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
  let stderr = assertNoValue(r, values, what, file: file, line: line)
  XCTAssertEqual(r.status, 2, "\(what): exit \(r.status): \(stderr)", file: file, line: line)
  XCTAssertTrue(r.stdout.isEmpty, "\(what): \(r.stdout.count) bytes on stdout", file: file, line: line)
  let lines = r.stderr.split(separator: "\n")
  XCTAssertEqual(lines.filter { $0.hasPrefix("djsec: error: ") }.count, 1, "\(what): not one error line: \(stderr)", file: file, line: line)
  XCTAssertTrue(lines.allSatisfy { $0.hasPrefix("djsec: ") }, "\(what): stderr not in djsec's voice: \(stderr)", file: file, line: line)
}

/// An untrusted store: refused, the error names the signer (any of `signer`:
/// its label, identity or key), a hint names `djsec trust`.
private func assertUntrusted(
  _ r: Run, signer: [String], hiding values: [String], _ what: String, file: StaticString = #filePath, line: UInt = #line
) {
  assertRefused(r, hiding: values, what, file: file, line: line)
  let stderr = quotable(r, hiding: values)
  let lines = r.stderr.split(separator: "\n")
  let error = lines.first { $0.hasPrefix("djsec: error: ") } ?? ""
  XCTAssertTrue(signer.contains { error.contains($0) }, "\(what): the error does not name the signer: \(stderr)", file: file, line: line)
  XCTAssertTrue(
    lines.contains { $0.hasPrefix("djsec: hint: ") && $0.contains("djsec trust") }, "\(what): no hint naming 'djsec trust': \(stderr)",
    file: file, line: line)
}
