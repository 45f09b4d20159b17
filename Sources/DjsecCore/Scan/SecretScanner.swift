internal import CLibc
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

public struct ScanOptions: Sendable {
  /// Also scan objects no ref reaches (what a force-push left behind).
  public var allObjects = false
  /// Revisions for `git log` instead of every ref (`A..B`, `REV..HEAD`).
  public var revisions: [String]?
  /// Blobs larger than this are skipped and counted.
  public var maxBlobSize = 32 << 20
  public var workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
  /// Also report what is found in vendored trees (site-packages, node_modules…).
  public var includeVendored = false
  /// Also scan the whole history of each submodule HEAD declares that is checked out.
  public var recurseSubmodules = false

  public init() {}
}

/// Scans a repository's history, each distinct blob once, on every core.
public final class SecretScanner: Sendable {
  public let ruleSet: RuleSet
  /// Keep each finding's match and line (`Finding.context`) for allow lists
  /// that read them; off by default, as it copies text around every finding.
  let keepsContext: Bool

  public init(ruleSet: RuleSet, keepsContext: Bool = false) {
    self.ruleSet = ruleSet
    self.keepsContext = keepsContext
  }

  /// One raw detection, before blobs are tied to commits and duplicates merged.
  struct Hit {
    var blob: String?
    var ruleIndex: Int
    var secret: [UInt8]
    var path: String
    var line: Int
    var column: Int
    /// The blob's own path this hit was resolved to (history scans): its
    /// introductions at that path are the ones attributed.
    var base: String? = nil
    var context: Finding.Context? = nil
  }

  public func scanGit(_ repository: GitRepository, options: ScanOptions, progress: (@Sendable (ScanProgress) -> Void)? = nil)
    throws(ScanError) -> ScanResult
  {
    let meter = progress.map { ProgressMeter($0) }
    var warnings: [String] = []
    if repository.isShallow {
      warnings.append("\(repository.path.path) is a shallow clone: history before its first commit is not scanned")
    }
    if let revisions = options.revisions {
      for r in revisions {
        let base = r.components(separatedBy: "..").filter { !$0.isEmpty && !$0.hasPrefix("^") }
        for rev in base { _ = try repository.commit(rev) }
      }
    }
    // Reading and matching start at once; attribution (git log) runs beside
    // them, started only when the first blob with a hit turns up: a clean
    // repository, the common case in CI, never pays for it. A range scan
    // needs attribution first, to know which few blobs to read.
    let attribution = LazyAttribution(repository: repository, revisions: options.revisions)
    var stats = ScanStats()
    let collected = Collected()
    nonisolated(unsafe) var failure: ScanError?
    // Every blob in the store, and those read (not skipped as too large).
    var listed: [String] = []
    var todo: [String] = []
    var damaged: [String] = []
    if options.revisions == nil, let store = ObjectStore.open(repository) {
      // Every blob, read from the packs on every core and matched where it
      // was inflated (ObjectStore.swift says why not through git).
      Self.returnLargeBuffers()
      let workers = max(1, options.workers)
      let states = (0..<workers).map { _ in WorkerState() }
      meter?.phase(.reading, total: meter == nil ? nil : store.totalBytes)
      let onRun: (@Sendable (Int) -> Void)? = meter.map { m in { @Sendable bytes in m.add(bytes: bytes) } }
      damaged = try store.forEachBlob(workers: workers, maxSize: options.maxBlobSize, onRun: onRun) { worker, id, bytes in
        let state = states[worker]
        state.seen.append(id)
        guard let bytes else {
          state.skippedLarge += 1
          return
        }
        state.read.append(id)
        let before = state.hits.count
        let detector = state.detector ?? Detector(ruleSet: ruleSet)
        state.detector = detector
        var hits = state.hits
        var stats = state.stats
        state.hits = []
        bytes.withUnsafeBytes { scan($0, path: "", blob: id, detector: detector, into: &hits, stats: &stats) }
        (state.hits, state.stats) = (hits, stats)
        if hits.count > before { attribution.start() }
        if let meter, state.seen.count % 256 == 0 {
          meter.add(blobs: 256, secrets: state.hits[state.reported...].lazy.map(\.secret))
          state.reported = state.hits.count
        }
      }
      // A damaged object is named below, not again as missing.
      listed += damaged
      for state in states {
        meter?.add(blobs: state.seen.count % 256, secrets: state.hits[state.reported...].lazy.map(\.secret))
        listed += state.seen
        todo += state.read
        stats.skippedLarge += state.skippedLarge
        collected.add(state.hits, state.stats)
      }
    } else if options.revisions == nil {
      let queue = BlobQueue()
      let finished = DispatchSemaphore(value: 0)
      nonisolated(unsafe) var seen: [String] = []
      nonisolated(unsafe) var read: [String] = []
      nonisolated(unsafe) var skippedLarge = 0
      let reader = Thread {
        var batch = BlobQueue.Batch()
        do {
          try repository.readAllBlobs(maxSize: options.maxBlobSize) { id, bytes in
            seen.append(id)
            guard let bytes else {
              skippedLarge += 1
              return
            }
            read.append(id)
            batch.append(id, bytes)
            if batch.isFull {
              queue.push(batch)
              batch = BlobQueue.Batch()
            }
          }
        } catch let error as ScanError {
          collected.lock.withLock { failure = error }
        } catch {}
        queue.push(batch)
        queue.close()
        finished.signal()
      }
      reader.start()
      meter?.phase(.reading)
      DispatchQueue.concurrentPerform(iterations: max(1, options.workers)) { _ in
        let detector = Detector(ruleSet: ruleSet)
        var local: [Hit] = []
        var localStats = ScanStats()
        while let blobs = queue.pop() {
          let before = local.count
          for (id, bytes) in blobs {
            bytes.withUnsafeBytes { scan($0, path: "", blob: id, detector: detector, into: &local, stats: &localStats) }
          }
          if local.count > before { attribution.start() }
          meter?.add(bytes: blobs.reduce(0) { $0 + $1.1.count }, blobs: blobs.count, secrets: local[before...].lazy.map(\.secret))
        }
        collected.add(local, localStats)
      }
      finished.wait()
      (listed, todo) = (seen, read)
      stats.skippedLarge = skippedLarge
    } else {
      meter?.phase(.listing)
      attribution.start()
      let early = try attribution.wait()
      // Only the blobs the range introduced are looked up, never the whole store.
      let blobs = try repository.blobSizes(early.blobIDs)
      listed = blobs.map(\.id)
      var entries: [GitRepository.ObjectEntry] = []
      for entry in blobs {
        // Skipped only when every path the range put it at is ignored: a key
        // committed as poetry.lock and then moved to settings.py is read.
        let paths = early.introductions(entry.id).map(\.path)
        if paths.isEmpty { continue }
        if paths.allSatisfy({ ruleSet.isIgnored(path: $0) }) {
          stats.skippedIgnoredPath += 1
          continue
        }
        if entry.size > options.maxBlobSize {
          stats.skippedLarge += 1
          continue
        }
        entries.append(entry)
      }
      todo = entries.map(\.id)
      let chunks = Self.partition(entries, into: options.workers)
      meter?.phase(.reading, total: entries.reduce(0) { $0 + $1.size })
      DispatchQueue.concurrentPerform(iterations: chunks.count) { index in
        let detector = Detector(ruleSet: ruleSet)
        var local: [Hit] = []
        var localStats = ScanStats()
        do {
          try repository.readBlobs(chunks[index].map(\.id)) { id, bytes in
            let before = local.count
            scan(bytes, path: "", blob: id, detector: detector, into: &local, stats: &localStats)
            meter?.add(bytes: bytes.count, blobs: 1, secrets: local[before...].lazy.map(\.secret))
          }
        } catch let error as ScanError {
          collected.lock.withLock { failure = error }
        } catch {}
        collected.add(local, localStats)
      }
    }
    if let failure { throw failure }
    stats.add(collected.stats)
    if !damaged.isEmpty {
      // Exit 2 only when nothing could be read; otherwise each lost object is named with git's own words.
      if todo.isEmpty { throw .corruptObject(id: damaged[0], path: repository.path.path) }
      for id in damaged.prefix(20) {
        warnings.append("object \(id) is damaged and was not scanned (git: \(repository.objectProblem(id))); run 'git fsck'")
      }
      if damaged.count > 20 { warnings.append("\(damaged.count - 20) more damaged objects were not scanned; run 'git fsck'") }
    }
    if repository.isPartialClone {
      warnings.append("\(repository.path.path) is a partial clone: blobs it has not fetched are not scanned")
    }
    var nested: [(path: String, result: ScanResult)] = []
    var unscanned: [String] = []
    for path in repository.submodulePaths {
      guard options.recurseSubmodules, options.revisions == nil,
        let clone = repository.checkedOutSubmodule(path)
      else {
        unscanned.append(path)
        continue
      }
      nested.append((path, try scanGit(clone, options: options)))
    }
    if !unscanned.isEmpty {
      let n = unscanned.count
      let how =
        options.revisions != nil
        ? "a range names this repository's commits only"
        : options.recurseSubmodules
          ? "not checked out: run 'git submodule update --init' first"
          : "\(n == 1 ? "its" : "their") history is in \(n == 1 ? "another repository" : "other repositories"); add --recurse-submodules"
      warnings.append("\(n) submodule\(n == 1 ? "" : "s") not scanned (\(unscanned.joined(separator: ", "))): \(how)")
    }
    guard attribution.started else {
      stats.commits = repository.commitCount
      return Self.including(nested, in: ScanResult(findings: [], stats: stats, warnings: warnings))
    }
    if options.revisions == nil { meter?.phase(.attributing) }
    let history = try attribution.wait()
    stats.commits = history.commits.count
    if let stopped = history.incomplete {
      warnings.append(
        "git log stopped early (git: \(stopped)): what only later commits introduced is reported by blob id, "
          + "without a commit; run 'git fsck'")
    }
    let n = history.blobsMissing(from: listed)
    if n > 0 {
      warnings.append(
        "\(n) blob\(n == 1 ? "" : "s") named in history \(n == 1 ? "is" : "are") missing from the object store "
          + "and \(n == 1 ? "was" : "were") not scanned")
    }
    if options.revisions == nil {
      if options.allObjects { stats.unreachableBlobs = todo.filter { !history.contains($0) }.count }
      stats.skippedIgnoredPath =
        Set(todo.compactMap { id in history.first(id).flatMap { ruleSet.isIgnored(path: $0.path) ? id : nil } }).count
    }

    // Hits carry the blob and, for a view inside it, the part of the path
    // after the blob's own ("!app/.env"); now each gets its real path.
    // A blob is scanned once, but reported at every path it was committed
    // under (one finding per rule, secret and path): a key copied into a
    // second settings file is a second place to clean up.
    var resolved: [Hit] = []
    for hit in collected.hits {
      guard let blob = hit.blob else { continue }
      var bases: [String] = []
      for intro in history.introductions(blob) where !bases.contains(intro.path) { bases.append(intro.path) }
      if bases.isEmpty {
        // A damaged commit hid where it came from: the secret is still reported.
        if history.incomplete != nil {
          bases = ["(blob \(blob), commit unknown)"]
        } else {
          guard options.allObjects, options.revisions == nil else { continue }
          bases = ["(unreachable blob \(blob))"]
        }
      }
      for base in bases {
        var placed = hit
        placed.path = base + hit.path
        placed.base = base
        if ruleSet.isIgnored(path: base) || !ruleSet.pathAllowed(rule: hit.ruleIndex, path: placed.path) { continue }
        if !options.includeVendored, ruleSet.isVendored(path: base) { continue }
        resolved.append(placed)
      }
    }
    let findings = merge(resolveOverlaps(resolved), attribution: history)
    return Self.including(nested, in: ScanResult(findings: findings, stats: stats, warnings: warnings))
  }

  /// The submodules' own scans, their paths under the submodule's folder.
  private static func including(_ nested: [(path: String, result: ScanResult)], in result: ScanResult) -> ScanResult {
    var out = result
    for (path, inner) in nested {
      out.findings += inner.findings.map { f in
        var f = f
        f.path = path + "/" + f.path
        return f
      }
      out.stats.add(inner.stats)
      out.stats.commits += inner.stats.commits
      out.warnings += inner.warnings.map { "submodule \(path): \($0)" }
    }
    out.findings.sort {
      ($0.path, $0.line, $0.column, $0.rule, $0.secretHash) < ($1.path, $1.line, $1.column, $1.rule, $1.secretHash)
    }
    return out
  }

  /// Blob buffers of a megabyte or more are mapped on their own and given
  /// back when freed. glibc's default raises that threshold as large blocks
  /// are freed, after which freed blobs stay in each thread's heap: on
  /// wagtail's history the scan peaked at 300 MB instead of 245.
  private static func returnLargeBuffers() {
    #if os(Linux)
      _ = djsec_map_large_buffers(1 << 20)
    #endif
  }

  /// Scans what is staged for the next commit (`--staged`, for a pre-commit
  /// hook): each added or changed blob in the index, at its path.
  public func scanStaged(_ repository: GitRepository, options: ScanOptions) throws(ScanError) -> ScanResult {
    let staged = try repository.stagedBlobs().filter {
      !ruleSet.isIgnored(path: $0.path) && (options.includeVendored || !ruleSet.isVendored(path: $0.path))
    }
    let paths = Dictionary(staged.map { ($0.id, $0.path) }, uniquingKeysWith: { a, _ in a })
    let detector = Detector(ruleSet: ruleSet)
    var hits: [Hit] = []
    var stats = ScanStats()
    try repository.readBlobs(Array(paths.keys)) { id, bytes in
      guard bytes.count <= options.maxBlobSize else {
        stats.skippedLarge += 1
        return
      }
      scan(bytes, path: paths[id] ?? id, blob: nil, detector: detector, into: &hits, stats: &stats)
    }
    hits = hits.filter { ruleSet.pathAllowed(rule: $0.ruleIndex, path: $0.path) }
    return ScanResult(findings: merge(resolveOverlaps(hits), attribution: nil), stats: stats, warnings: [])
  }

  /// One buffer at a path, with everything a path decides (rules limited to
  /// some paths, vendored trees, overlaps, severity in tests and docs), but
  /// without the archive and encoding views: what a rule's examples are checked with.
  /// `detector`: one made for this scanner's rules, to reuse across many
  /// small buffers (making one allocates Hyperscan scratch space).
  public func findings(
    in buffer: UnsafeRawBufferPointer, path: String, binaryStrings: Bool = false, options: ScanOptions = ScanOptions(),
    detector: Detector? = nil
  ) -> [Finding] {
    if !options.includeVendored, ruleSet.isVendored(path: path) { return [] }
    let hits = (detector ?? Detector(ruleSet: ruleSet)).detect(buffer, binaryStrings: binaryStrings).map {
      Hit(blob: nil, ruleIndex: $0.ruleIndex, secret: $0.secret, path: path, line: $0.line, column: $0.column)
    }
    return merge(resolveOverlaps(hits.filter { ruleSet.pathAllowed(rule: $0.ruleIndex, path: path) }), attribution: nil)
  }

  /// Scans files and folders as they are on disk (`--no-git`).
  public func scanFiles(_ paths: [URL], options: ScanOptions) throws(ScanError) -> ScanResult {
    var found: [(URL, String)] = []
    for root in paths {
      var isDir: ObjCBool = false
      guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDir) else { throw .unreadable(path: root.path) }
      if !isDir.boolValue {
        found.append((root, root.path))
        continue
      }
      guard let e = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey, .isSymbolicLinkKey]) else {
        throw .unreadable(path: root.path)
      }
      let prefix = root.standardizedFileURL.path + "/"
      while let url = e.nextObject() as? URL {
        if url.lastPathComponent == ".git" {
          e.skipDescendants()
          continue
        }
        let values = try? url.resourceValues(forKeys: [.isRegularFileKey, .isSymbolicLinkKey])
        let full = url.standardizedFileURL.path
        let relative = full.hasPrefix(prefix) ? String(full.dropFirst(prefix.count)) : full
        guard values?.isRegularFile == true, values?.isSymbolicLink != true else {
          // A vendored tree is not even walked: a virtualenv holds thousands of files.
          if !options.includeVendored, ruleSet.isVendored(path: relative + "/") { e.skipDescendants() }
          continue
        }
        if !options.includeVendored, ruleSet.isVendored(path: relative) { continue }
        found.append((url, relative))
      }
    }
    let files = found
    var stats = ScanStats()
    let collected = Collected()
    nonisolated(unsafe) var unreadable: String?
    let workers = max(1, min(options.workers, files.count))
    DispatchQueue.concurrentPerform(iterations: workers) { index in
      let detector = Detector(ruleSet: ruleSet)
      var local: [Hit] = []
      var localStats = ScanStats()
      for i in stride(from: index, to: files.count, by: workers) {
        let (url, path) = files[i]
        if ruleSet.isIgnored(path: path) {
          localStats.skippedIgnoredPath += 1
          continue
        }
        guard let data = FileManager.default.contents(atPath: url.path) else {
          collected.lock.withLock { unreadable = url.path }
          continue
        }
        if data.count > options.maxBlobSize {
          localStats.skippedLarge += 1
          continue
        }
        data.withUnsafeBytes { scan($0, path: path, blob: nil, detector: detector, into: &local, stats: &localStats) }
      }
      collected.add(local, localStats)
    }
    if let unreadable { throw .unreadable(path: unreadable) }
    stats.add(collected.stats)
    let hits = collected.hits.filter { ruleSet.pathAllowed(rule: $0.ruleIndex, path: $0.path) }
    return ScanResult(findings: merge(resolveOverlaps(hits), attribution: nil), stats: stats, warnings: [])
  }

  private func scan(
    _ bytes: UnsafeRawBufferPointer, path: String, blob: String?, detector: Detector, into hits: inout [Hit], stats: inout ScanStats
  ) {
    stats.blobsScanned += 1
    stats.bytesScanned += bytes.count
    let (scanRaw, views, kind) = Views.derived(from: bytes, path: path, limits: Views.Limits())
    switch kind {
    case .archive: stats.archives += 1
    case .binary: stats.binaryBlobs += 1
    // Counted as git counts it: UTF-16 text with NUL bytes is binary to git.
    case .utf16: if Views.isBinary(bytes) { stats.binaryBlobs += 1 }
    case .text: break
    }
    if scanRaw { scanText(bytes, path: path, blob: blob, detector: detector, into: &hits) }
    for view in views {
      view.bytes.withUnsafeBytes { raw in
        if view.binaryStrings {
          for d in detector.detect(raw, binaryStrings: true) {
            hits.append(Hit(blob: blob, ruleIndex: d.ruleIndex, secret: d.secret, path: view.path, line: d.line, column: d.column))
          }
        } else {
          scanText(raw, path: view.path, blob: blob, detector: detector, into: &hits)
        }
      }
    }
  }

  /// Text, and what the match pass found inside it that needs decoding: a
  /// Kubernetes Secret's base64 values are scanned in a view with the same
  /// line numbers, which replaces the raw findings on those lines (their
  /// encoded form).
  private func scanText(
    _ bytes: UnsafeRawBufferPointer, path: String, blob: String?, detector: Detector, into hits: inout [Hit]
  ) {
    var found = detector.detect(bytes)
    if detector.markers.contains(.kubernetesSecret), let (decoded, lines) = KubernetesSecret.decodedView(bytes) {
      found.removeAll { lines.contains($0.line) }
      found += decoded.withUnsafeBytes { detector.detect($0) }
    }
    for d in found {
      var hit = Hit(blob: blob, ruleIndex: d.ruleIndex, secret: d.secret, path: path, line: d.line, column: d.column)
      if keepsContext { hit.context = Self.context(of: d, in: bytes) }
      hits.append(hit)
    }
  }

  /// The match and the line around it (at most 4 KiB each way).
  private static func context(of d: Detection, in bytes: UnsafeRawBufferPointer) -> Finding.Context {
    let match = d.match.clamped(to: 0..<bytes.count)
    var start = match.lowerBound
    while start > 0, match.lowerBound - start < 4096, bytes[start - 1] != 10 { start -= 1 }
    var end = match.upperBound
    while end < bytes.count, end - match.upperBound < 4096, bytes[end] != 10 { end += 1 }
    return Finding.Context(
      match: String(decoding: bytes[match], as: UTF8.self), line: String(decoding: bytes[start..<end], as: UTF8.self))
  }

  /// Overlaps that only the path could settle: where a rule limited to some
  /// paths applies, it wins over later rules that found the same secret on
  /// the same line (the Detector left both, not knowing the path).
  private func resolveOverlaps(_ hits: [Hit]) -> [Hit] {
    let conditional = hits.indices.filter { ruleSet.conditional[hits[$0].ruleIndex] }
    guard !conditional.isEmpty else { return hits }
    struct Place: Hashable {
      var path: String
      var line: Int
    }
    var byPlace: [Place: [Int]] = [:]
    for i in hits.indices { byPlace[Place(path: hits[i].path, line: hits[i].line), default: []].append(i) }
    var dropped = Set<Int>()
    for c in conditional.sorted(by: { hits[$0].ruleIndex < hits[$1].ruleIndex }) where !dropped.contains(c) {
      for j in byPlace[Place(path: hits[c].path, line: hits[c].line)] ?? []
      where j != c && hits[j].ruleIndex > hits[c].ruleIndex && Self.overlap(hits[c].secret, hits[j].secret) {
        dropped.insert(j)
      }
    }
    return hits.indices.filter { !dropped.contains($0) }.map { hits[$0] }
  }

  private static func overlap(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    func contains(_ x: [UInt8], _ y: [UInt8]) -> Bool {
      guard !y.isEmpty, y.count <= x.count else { return y.isEmpty }
      return (0...(x.count - y.count)).contains { x[$0..<($0 + y.count)].elementsEqual(y) }
    }
    return contains(a, b) || contains(b, a)
  }

  /// One finding per (secret, path), attributed to the earliest commit that
  /// introduced it, with the count of the other commits that did too. When
  /// several rules found the same secret at the same path (`SECRET_KEY = …`
  /// and a `SECRET_KEY:` line of the same docs page), the rule tried first
  /// names it: it is one value to rotate and one file to clean.
  private func merge(_ hits: [Hit], attribution: Attribution?) -> [Finding] {
    struct Key: Hashable {
      var secret: [UInt8]
      var path: String
    }
    var groups: [Key: (hit: Hit, intro: Attribution.Introduction?, commits: Set<Int>, rule: Int)] = [:]
    for hit in hits {
      // A blob found at its first path is reported there; views inside it keep their own path.
      let intros = (hit.blob.flatMap { attribution?.introductions($0) } ?? []).filter { hit.base == nil || $0.path == hit.base }
      let path = hit.path
      let key = Key(secret: hit.secret, path: path)
      let first = intros.first
      var entry = groups[key] ?? (hit, first, [], hit.ruleIndex)
      entry.commits.formUnion(intros.map(\.commit))
      entry.rule = min(entry.rule, hit.ruleIndex)
      if let first, let current = entry.intro, let attribution,
        attribution.commits[first.commit].time < attribution.commits[current.commit].time
      {
        entry.hit = hit
        entry.intro = first
      }
      groups[key] = entry
    }
    let findings = groups.values.map { entry -> Finding in
      let rule = ruleSet.rules[entry.rule]
      let commit = entry.intro.flatMap { attribution?.commits[$0.commit] }
      return Finding(
        rule: rule.id, description: rule.description, severity: ruleSet.severity(rule: entry.rule, path: entry.hit.path),
        confidence: rule.confidence ?? .high, path: entry.hit.path, line: entry.hit.line,
        column: entry.hit.column, commit: commit, otherCommits: max(0, entry.commits.count - 1), blob: entry.hit.blob,
        secret: String(decoding: entry.hit.secret, as: UTF8.self), secretHash: SecretDigest.hex(entry.hit.secret),
        context: entry.hit.context)
    }
    // A total order: two secrets at the same place in different blobs
    // (one settings line rewritten many times) come out the same way on
    // every run, whichever thread found which first.
    return findings.sorted {
      ($0.path, $0.line, $0.column, $0.rule, $0.secretHash) < ($1.path, $1.line, $1.column, $1.rule, $1.secretHash)
    }
  }

  /// Splits blobs into `count` runs of consecutive pack order with about the
  /// same number of bytes each, so each worker reads its own stretch of the pack.
  static func partition(_ entries: [GitRepository.ObjectEntry], into count: Int) -> [[GitRepository.ObjectEntry]] {
    guard count > 1, entries.count > count else { return entries.isEmpty ? [] : [entries] }
    let total = entries.reduce(0) { $0 + $1.size + 256 }
    let share = total / count + 1
    var chunks: [[GitRepository.ObjectEntry]] = [[]]
    var filled = 0
    for e in entries {
      if filled >= share, chunks.count < count {
        chunks.append([])
        filled = 0
      }
      chunks[chunks.count - 1].append(e)
      filled += e.size + 256
    }
    return chunks
  }
}

/// `git log` attribution, started at most once, from any worker thread.
private final class LazyAttribution: @unchecked Sendable {
  // @unchecked Sendable: every field is guarded by `lock`, or written before `done` is signalled.
  private let lock = NSLock()
  private let done = DispatchSemaphore(value: 0)
  private let repository: GitRepository
  private let revisions: [String]?
  private var result: Result<Attribution, ScanError>?
  private(set) var started = false

  init(repository: GitRepository, revisions: [String]?) {
    self.repository = repository
    self.revisions = revisions
  }

  func start() {
    let first = lock.withLock { () -> Bool in
      defer { started = true }
      return !started
    }
    guard first else { return }
    Thread { [self] in
      let r = Result { () throws(ScanError) in try repository.attribution(revisions: revisions) }
      lock.withLock { result = r }
      done.signal()
    }.start()
  }

  func wait() throws(ScanError) -> Attribution {
    done.wait()
    done.signal()
    return try lock.withLock { result! }.get()
  }
}

/// What one thread of a whole-history scan gathers, without a lock: each
/// thread has its own.
private final class WorkerState: @unchecked Sendable {
  var seen: [String] = []
  var read: [String] = []
  var skippedLarge = 0
  var hits: [SecretScanner.Hit] = []
  /// Hits already counted in the progress line.
  var reported = 0
  var stats = ScanStats()
  /// Made on the thread's first blob: it holds Hyperscan scratch space.
  var detector: Detector?
}

/// What the workers hand back, under a lock.
private final class Collected: @unchecked Sendable {
  let lock = NSLock()
  private(set) var hits: [SecretScanner.Hit] = []
  private(set) var stats = ScanStats()

  func add(_ h: [SecretScanner.Hit], _ s: ScanStats) {
    lock.withLock {
      hits += h
      stats.add(s)
    }
  }
}

/// A shared count, bumped from any thread.
final class Counter: @unchecked Sendable {
  private let lock = NSLock()
  private(set) var value = 0
  func increment() -> Int { add(1) }

  /// Adds `n` and returns the new total.
  func add(_ n: Int) -> Int {
    lock.withLock {
      value += n
      return value
    }
  }
}
