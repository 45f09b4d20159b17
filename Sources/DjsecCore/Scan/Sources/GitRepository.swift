import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A commit that introduced content.
public struct CommitInfo: Sendable, Equatable {
  public var sha: String
  /// Committer time, seconds since 1970.
  public var time: Int
  /// Committer date, ISO 8601.
  public var date: String
  public var author: String
}

/// Reads a git repository with the git command itself: one `git log` for
/// attribution and `git cat-file` processes for content.
public struct GitRepository: Sendable {
  public let path: URL
  /// The top of the work tree (a scan of a subfolder still reads the
  /// repository's own `.djsecignore`); the path itself for a bare
  /// repository. Found once, when the repository is opened.
  public let root: URL

  public static func open(_ path: URL) throws(ScanError) -> GitRepository {
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path.path, isDirectory: &isDir), isDir.boolValue else {
      throw .unreadable(path: path.path)
    }
    // One git for both: a bare repository has no top, and says so after its git dir.
    guard let r = Subprocess.run("git", ["rev-parse", "--git-dir", "--show-toplevel"], in: path) else {
      throw .notARepository(path: path.path)
    }
    let lines = r.stdoutText.split(separator: "\n")
    guard !lines.isEmpty else { throw .notARepository(path: path.path) }
    let top = r.status == 0 && lines.count == 2 ? URL(fileURLWithPath: String(lines[1])) : path
    return GitRepository(path: path, root: top)
  }

  /// The commit `revision` names, or `.badRevision`.
  public func commit(_ revision: String) throws(ScanError) -> String {
    guard let r = Subprocess.run("git", ["rev-parse", "--verify", "--quiet", "\(revision)^{commit}"], in: path), r.status == 0
    else { throw .badRevision(revision) }
    return r.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// A partial clone (`git clone --filter`): blobs not fetched cannot be read.
  public var isPartialClone: Bool {
    !(Subprocess.run("git", ["config", "--get", "extensions.partialClone"], in: path)?.stdoutText.isEmpty ?? true)
  }

  /// The submodules HEAD declares (`.gitmodules`): their history lives in
  /// other repositories, which a scan of this one does not read.
  public var submodulePaths: [String] {
    guard
      let r = Subprocess.run(
        "git", ["config", "--blob", "HEAD:.gitmodules", "--get-regexp", #"^submodule\..*\.path$"#], in: path), r.status == 0
    else { return [] }
    return r.stdoutText.split(separator: "\n").compactMap { line in
      line.split(separator: " ", maxSplits: 1).dropFirst().first.map(String.init)
    }
  }

  /// The submodule at `path`, when it is checked out (its folder is the top
  /// of a repository of its own); nil otherwise.
  public func checkedOutSubmodule(_ path: String) -> GitRepository? {
    let folder = root.appendingPathComponent(path)
    guard FileManager.default.fileExists(atPath: folder.appendingPathComponent(".git").path),
      let clone = try? GitRepository.open(folder), clone.root.standardizedFileURL.path == folder.standardizedFileURL.path
    else { return nil }
    return clone
  }

  /// Commits reachable from every ref (for the report of a clean scan).
  public var commitCount: Int {
    Int(
      Subprocess.run("git", ["rev-list", "--all", "--count"], in: path)?.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) ?? "")
      ?? 0
  }

  public var isShallow: Bool {
    Subprocess.run("git", ["rev-parse", "--is-shallow-repository"], in: path)?.stdoutText.hasPrefix("true") ?? false
  }

  /// Runs `git log` over `revisions` (default: every ref) and records which
  /// commit introduced each blob at which path.
  public func attribution(revisions: [String]? = nil) throws(ScanError) -> Attribution {
    let args =
      [
        "-c", "core.quotePath=false", "log", "--raw", "--no-abbrev", "--no-renames", "--diff-merges=first-parent", "--no-color",
        "--format=C %H %ct %cI %an <%ae>",
      ] + (revisions ?? ["--all"])
    var builder = Attribution.Builder()
    let status = try Streamed.lines(git: args, in: path, memory: GitMemory.treeWalk) { line in
      if line.first == UInt8(ascii: "C"), line.count > 2, line[1] == 32 {
        let parts = line.split(separator: 32, maxSplits: 4, omittingEmptySubsequences: false)
        guard parts.count >= 4 else { return }
        builder.commit(
          CommitInfo(
            sha: String(decoding: parts[1], as: UTF8.self), time: Int(String(decoding: parts[2], as: UTF8.self)) ?? 0,
            date: String(decoding: parts[3], as: UTF8.self), author: parts.count > 4 ? String(decoding: parts[4], as: UTF8.self) : ""))
        return
      }
      // ":100644 100644 <old> <new> M\tpath": with --no-abbrev and
      // --no-renames every field before the tab has a fixed width (read in
      // place: 870,000 such lines on wagtail's history).
      let b = line.startIndex
      guard line.count > 99, line[b] == UInt8(ascii: ":"), line[b + 14] == 32, line[b + 55] == 32, line[b + 96] == 32,
        line[b + 98] == 9
      else { return }
      let status = line[b + 97]
      let newMode = line[(b + 8)..<(b + 14)]
      // Added, modified or type-changed regular files and symlinks; not deletions, not submodules.
      guard status != UInt8(ascii: "D"), !newMode.elementsEqual("160000".utf8), let blob = ObjectID(hex: line[(b + 56)..<(b + 96)])
      else { return }
      builder.introduce(blob, path: line[(b + 99)...])
    }
    var history = builder.finish()
    if status != 0 {
      // A damaged commit or tree stops git's walk there (before it prints
      // anything, when the damage is near the tip): what it read stands, the
      // scan says where it stopped, and blobs it did not reach are reported
      // by their id. The blobs themselves were read from the object store.
      let again = Subprocess.run("git", ["log", "--raw", "--format=%H"] + (revisions ?? ["--all"]), in: path)
      history.incomplete = again.map { Self.gitMessage($0.stderrText) } ?? "git log exited with \(status)"
    }
    return history
  }

  /// What git says is wrong with object `id` ("inflate: data stream error
  /// (incorrect header check)"), for a warning naming it.
  func objectProblem(_ id: String) -> String {
    guard let r = Subprocess.run("git", ["cat-file", "-p", id], in: path) else { return "unreadable" }
    return r.status == 0 ? "git reads it, djsec's pack reader does not" : Self.gitMessage(r.stderrText)
  }

  /// git's first error line, without its "error: "/"fatal: " prefix.
  static func gitMessage(_ stderr: String) -> String {
    let lines = stderr.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    guard let first = lines.first(where: { $0.hasPrefix("error:") || $0.hasPrefix("fatal:") }) ?? lines.first else {
      return "no message from git"
    }
    return String(first.drop { $0 != ":" }.dropFirst()).trimmingCharacters(in: .whitespaces)
  }

  /// The blobs staged for the next commit (added or changed in the index),
  /// for a pre-commit hook: `git diff --cached --raw`.
  public func stagedBlobs() throws(ScanError) -> [(id: String, path: String)] {
    var out: [(String, String)] = []
    let status = try Streamed.lines(
      git: ["-c", "core.quotePath=false", "diff", "--cached", "--raw", "--no-abbrev", "--no-renames", "--no-color"], in: path
    ) { line in
      guard line.first == UInt8(ascii: ":"), let tab = line.firstIndex(of: 9) else { return }
      let fields = line[line.startIndex..<tab].split(separator: 32)
      guard fields.count >= 5, fields[4].first != UInt8(ascii: "D"), !fields[1].starts(with: Array("160000".utf8)) else { return }
      out.append((String(decoding: fields[3], as: UTF8.self), GitPath.text(Array(line[(tab + 1)...]))))
    }
    guard status == 0 else { throw .gitFailed(command: "git diff --cached", path: path.path) }
    return out
  }

  public struct ObjectEntry: Sendable {
    public var id: String
    public var size: Int
  }

  /// Streams every object in the store (packs and loose objects, reachable
  /// or not) through one `git cat-file --batch-all-objects --batch
  /// --unordered`, in pack order: the same single pass as the git floor,
  /// with no listing first and no lookup by id. `body` gets each blob's id and
  /// bytes (its own copy, to hand to another thread), or nil bytes for a blob
  /// over `maxSize` (skipped, but counted).
  public func readAllBlobs(maxSize: Int, body: (String, [UInt8]?) -> Void) throws(ScanError) {
    guard let child = StreamingChild.git(GitMemory.bounded + ["cat-file", "--batch-all-objects", "--batch", "--unordered"], in: path)
    else { throw .gitFailed(command: "git cat-file --batch-all-objects", path: path.path) }
    let reader = ByteReader(fd: child.output)
    var failure: ScanError?
    while let header = reader.line() {
      let parts = header.split(separator: 32)
      guard parts.count == 3, let size = Int(String(decoding: parts[2], as: UTF8.self)) else {
        // "<id> missing": the store lists an object git cannot read (corrupt).
        failure = .corruptObject(id: String(decoding: parts.first ?? [], as: UTF8.self), path: path.path)
        break
      }
      let id = String(decoding: parts[0], as: UTF8.self)
      let ok: Bool
      if parts[1].elementsEqual("blob".utf8), size <= maxSize {
        if let bytes = reader.take(size) {
          body(id, bytes)
          ok = true
        } else {
          ok = false
        }
      } else {
        if parts[1].elementsEqual("blob".utf8) { body(id, nil) }
        ok = reader.skip(size)
      }
      guard ok, reader.skip(1) else {
        failure = .corruptObject(id: id, path: path.path)
        break
      }
    }
    if failure != nil { child.terminate() }
    let status = child.wait()
    if let failure { throw failure }
    if status != 0 { throw .gitFailed(command: "git cat-file --batch-all-objects", path: path.path) }
  }

  /// The size of each of `ids` that the store holds as a blob, in the order
  /// given, through one `git cat-file --batch-check` (a range scan's few
  /// blobs: listing the whole store cost a 20-commit range of wagtail 1.3 s).
  public func blobSizes(_ ids: [String]) throws(ScanError) -> [ObjectEntry] {
    guard !ids.isEmpty else { return [] }
    guard
      let child = StreamingChild.git(
        GitMemory.bounded + ["cat-file", "--batch-check=%(objectname) %(objecttype) %(objectsize)", "--buffer"], in: path,
        input: true)
    else { throw .gitFailed(command: "git cat-file --batch-check", path: path.path) }
    Self.feed(ids, to: child)
    let reader = ByteReader(fd: child.output)
    var out: [ObjectEntry] = []
    while let line = reader.line() {
      // "<id> blob <size>", or "<id> missing" for a blob history names that the store lacks.
      let parts = line.split(separator: 32)
      guard parts.count == 3, parts[1].elementsEqual("blob".utf8), let size = Int(String(decoding: parts[2], as: UTF8.self)) else {
        continue
      }
      out.append(ObjectEntry(id: String(decoding: parts[0], as: UTF8.self), size: size))
    }
    guard child.wait() == 0 else { throw .gitFailed(command: "git cat-file --batch-check", path: path.path) }
    return out
  }

  /// Writes `ids`, one per line, to a `cat-file` child's stdin from a thread
  /// of its own, so git never waits on us and we never wait on it.
  private static func feed(_ ids: [String], to child: StreamingChild) {
    Thread {
      var chunk: [UInt8] = []
      chunk.reserveCapacity(64 << 10 + 64)
      for id in ids {
        chunk.append(contentsOf: id.utf8)
        chunk.append(10)
        if chunk.count > 64 << 10 {
          guard child.write(chunk) else { break }
          chunk.removeAll(keepingCapacity: true)
        }
      }
      _ = child.write(chunk)
      child.closeInput()
    }.start()
  }

  /// Streams the contents of `ids` through one `git cat-file --batch`
  /// process, calling `body` with each blob's id and bytes in turn.
  public func readBlobs(_ ids: [String], body: (String, UnsafeRawBufferPointer) -> Void) throws(ScanError) {
    guard let child = StreamingChild.git(GitMemory.bounded + ["cat-file", "--batch", "--buffer"], in: path, input: true) else {
      throw .gitFailed(command: "git cat-file --batch", path: path.path)
    }
    Self.feed(ids, to: child)
    let reader = ByteReader(fd: child.output)
    var failure: ScanError?
    for id in ids {
      guard let header = reader.line() else {
        failure = .corruptObject(id: id, path: path.path)
        break
      }
      let parts = header.split(separator: 32)
      guard parts.count == 3, let size = Int(String(decoding: parts[2], as: UTF8.self)) else {
        // "<id> missing": a ref points at an object the store does not have.
        failure = .corruptObject(id: id, path: path.path)
        break
      }
      guard reader.withNext(size, { body(id, $0) }), reader.skip(1) else {
        failure = .corruptObject(id: id, path: path.path)
        break
      }
    }
    if failure != nil { child.terminate() }
    let status = child.wait()
    if let failure { throw failure }
    if status != 0 { throw .gitFailed(command: "git cat-file --batch", path: path.path) }
  }
}

/// Settings that bound the memory of the git processes a scan starts. git
/// maps pack files in windows of up to 8 GiB and caches delta bases up to
/// 96 MiB: on wagtail's 390 MB pack, `git log --raw` alone peaked at 399 MB
/// and `git cat-file --batch` at 587 MB. With these limits they peak at 75
/// and 152 MB, no slower.
enum GitMemory {
  static let bounded = ["-c", "core.packedGitLimit=64m", "-c", "core.packedGitWindowSize=16m", "-c", "core.deltaBaseCacheLimit=32m"]
  /// For `git log --raw`, which walks trees all over the pack: 16 MiB windows
  /// cost it 1.1 s of mapping and unmapping on wagtail's history (all refs;
  /// 2.9 s of work), 64 MiB windows 0.08 s, at a peak of 154 MB.
  static let treeWalk = ["-c", "core.packedGitLimit=256m", "-c", "core.packedGitWindowSize=64m", "-c", "core.deltaBaseCacheLimit=32m"]
}

/// Runs git and hands each output line to a closure, without holding the
/// whole output in memory.
enum Streamed {
  static func lines(
    git arguments: [String], in directory: URL, memory: [String] = GitMemory.bounded, _ body: (ArraySlice<UInt8>) -> Void
  ) throws(ScanError) -> Int32 {
    guard let child = StreamingChild.git(memory + arguments, in: directory) else {
      throw .gitFailed(command: "git", path: directory.path)
    }
    let reader = ByteReader(fd: child.output)
    while let line = reader.line() { body(line[...]) }
    return child.wait()
  }
}

public enum ScanError: Error, Equatable, Sendable {
  case notARepository(path: String)
  case unreadable(path: String)
  case corruptObject(id: String, path: String)
  case gitFailed(command: String, path: String)
  case rules(RuleError)
  case badRevision(String)
}

extension ScanError: DjsecError {
  public var message: String {
    switch self {
    case .notARepository(let p): "\(p) is not a git repository"
    case .unreadable(let p): "cannot read \(p)"
    case .corruptObject(let id, let p): "git object \(id) in \(p) is missing or corrupt"
    case .gitFailed(let c, let p): "\(c) failed in \(p)"
    case .rules(let e): e.message
    case .badRevision(let r): "unknown revision \(r)"
    }
  }

  public var hint: String? {
    switch self {
    case .notARepository: "pass a git repository, or scan plain files with --no-git PATH"
    case .unreadable: "check that the path exists and that you may read it"
    case .corruptObject: "run 'git fsck' in that repository; a partial or broken clone cannot be scanned completely"
    case .gitFailed: "run the same git command there to see why"
    case .rules(let e): e.hint
    case .badRevision: "name a commit, branch or tag that exists (git rev-parse REV)"
    }
  }
}
