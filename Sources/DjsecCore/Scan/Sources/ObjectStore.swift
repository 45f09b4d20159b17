// Reads a repository's blobs straight from its pack files and loose objects,
// the file formats git documents in gitformat-pack(5) and gitrepository-
// layout(5): every object once, in pack order, inflated on every core.
//
// Why not `git cat-file --batch-all-objects --batch`, the git floor itself:
// git inflates on one core, and what it inflates reaches djsec through a
// pipe, in one write per object. On wagtail's history (4 GB of blobs) the
// same command takes 4.5 s into /dev/null and 6.8 s into `cat`: the pipe
// alone costs half as much again as the work, before a single byte is
// matched. Reading the packs here, djsec inflates on both cores, skips the
// trees and commits (a third of what git inflates), and hands each blob to
// Hyperscan where it was inflated.
//
// Only what is read exactly is read here: SHA-1 object ids, pack index v2,
// pack v2 and v3, and no alternates. Anything else (a SHA-256 repository, an
// alternates file, an index or pack this code does not know) makes `open`
// return nil and the scan reads through git as before.
internal import CZlib
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

final class ObjectStore: Sendable {
  let packs: [PackFile]
  /// Loose objects: (id, path), those already in a pack left out.
  let loose: [(id: ObjectID, path: String)]

  private init(packs: [PackFile], loose: [(id: ObjectID, path: String)]) {
    self.packs = packs
    self.loose = loose
  }

  /// The store of `repository`, or nil when it is not one this reader reads
  /// exactly (the caller then reads through git).
  static func open(_ repository: GitRepository) -> ObjectStore? {
    if ProcessInfo.processInfo.environment["GIT_ALTERNATE_OBJECT_DIRECTORIES"] != nil { return nil }
    guard
      let result = Subprocess.run("git", ["rev-parse", "--show-object-format", "--git-path", "objects"], in: repository.path),
      result.status == 0
    else { return nil }
    let lines = result.stdoutText.split(separator: "\n").map(String.init)
    guard lines.count == 2, lines[0] == "sha1" else { return nil }
    // Relative to the repository's folder unless absolute.
    let objects =
      lines[1].hasPrefix("/") ? URL(fileURLWithPath: lines[1]) : repository.path.appendingPathComponent(lines[1]).standardizedFileURL
    let fm = FileManager.default
    var isFolder: ObjCBool = false
    guard fm.fileExists(atPath: objects.path, isDirectory: &isFolder), isFolder.boolValue else { return nil }
    if fm.fileExists(atPath: objects.appendingPathComponent("info/alternates").path) { return nil }
    let packFolder = objects.appendingPathComponent("pack")
    let names = ((try? fm.contentsOfDirectory(atPath: packFolder.path)) ?? []).filter { $0.hasSuffix(".idx") }.sorted()
    var packs: [PackFile] = []
    var known = Set<ObjectID>()
    for name in names {
      let base = packFolder.appendingPathComponent(String(name.dropLast(4))).path
      // An index without its pack is what a crashed or concurrent repack
      // leaves; git ignores it too.
      guard fm.fileExists(atPath: base + ".pack") else { continue }
      guard let pack = PackFile(index: base + ".idx", pack: base + ".pack", alreadyRead: known) else { return nil }
      for id in pack.ids { known.insert(id) }
      packs.append(pack)
    }
    var loose: [(ObjectID, String)] = []
    for prefix in (try? fm.contentsOfDirectory(atPath: objects.path)) ?? [] where prefix.count == 2 && prefix.allSatisfy(\.isHexDigit) {
      let folder = objects.appendingPathComponent(prefix).path
      for rest in (try? fm.contentsOfDirectory(atPath: folder)) ?? [] where rest.count == 38 {
        guard let id = ObjectID(prefix + rest), !known.contains(id) else { continue }
        loose.append((id, folder + "/" + rest))
      }
    }
    return ObjectStore(packs: packs, loose: loose)
  }

  /// The bytes of every pack and loose object: what a whole-history read goes through.
  var totalBytes: Int { packs.reduce(0) { $0 + $1.size } + looseBytes }

  /// Asked only for a progress line: one stat per loose object.
  private var looseBytes: Int {
    loose.reduce(0) { total, object in
      var info = stat()
      return total + (stat(object.path, &info) == 0 ? Int(info.st_size) : 0)
    }
  }

  /// A piece of work for one thread: a run of one pack's objects in pack
  /// order, or the loose objects.
  private enum Task {
    case pack(Int, Range<Int>)
    case loose
  }

  /// Calls `body` on `workers` threads with each blob's id and bytes, or nil
  /// bytes for a blob over `maxSize` (counted, not read). `worker` is the
  /// index of the calling thread, for state it keeps without a lock.
  /// Returns the objects that could not be read (a damaged object is one
  /// object lost, not the scan: the caller names them); a pack that cannot
  /// be opened or read at all is still an error.
  /// `onRun`: the compressed bytes of each run once it is read (progress).
  func forEachBlob(
    workers: Int, maxSize: Int, onRun: (@Sendable (Int) -> Void)? = nil,
    _ body: @Sendable (_ worker: Int, _ id: String, _ bytes: [UInt8]?) -> Void
  ) throws(ScanError) -> [String] {
    // Runs of about 8 MB of compressed objects: small enough to share out
    // evenly, large enough that most delta bases are in the same run.
    var tasks: [Task] = []
    for (p, pack) in packs.enumerated() {
      var start = 0
      while start < pack.count {
        var end = start + 1
        while end < pack.count, pack.offset(ofRank: end) - pack.offset(ofRank: start) < 8 << 20 { end += 1 }
        tasks.append(.pack(p, start..<end))
        start = end
      }
    }
    if !loose.isEmpty { tasks.append(.loose) }
    let work = tasks
    let next = Counter()
    let failure = FirstFailure()
    let damaged = Damaged()
    DispatchQueue.concurrentPerform(iterations: max(1, workers)) { worker in
      let reader = PackReader()
      defer { damaged.add(reader.damaged) }
      while failure.value == nil {
        let index = next.add(1) - 1
        guard index < work.count else { break }
        do throws(ScanError) {
          switch work[index] {
          case .pack(let p, let ranks):
            try reader.readBlobs(of: packs[p], ranks: ranks, maxSize: maxSize) { body(worker, $0, $1) }
            if let onRun, let last = ranks.last {
              onRun(packs[p].end(ofRank: last) - packs[p].offset(ofRank: ranks.lowerBound))
            }
          case .loose:
            for (id, path) in loose {
              do throws(ScanError) {
                guard let (type, bytes) = try LooseObject.read(path, id: id, maxSize: maxSize), type == .blob else { continue }
                body(worker, id.hex, bytes)
              } catch {
                reader.damaged.append(id.hex)
              }
            }
            onRun?(looseBytes)
          }
        } catch {
          failure.set(error)
        }
      }
    }
    if let error = failure.value { throw error }
    return damaged.ids.sorted()
  }
}

private final class Damaged: @unchecked Sendable {
  // @unchecked Sendable: `ids` is guarded by `lock`.
  private let lock = NSLock()
  private(set) var ids: [String] = []
  func add(_ more: [String]) { lock.withLock { ids += more } }
}

private final class FirstFailure: @unchecked Sendable {
  // @unchecked Sendable: `error` is guarded by `lock`.
  private let lock = NSLock()
  private var error: ScanError?
  var value: ScanError? { lock.withLock { error } }
  func set(_ e: ScanError) { lock.withLock { if error == nil { error = e } } }
}

extension ObjectID {
  /// The 20 bytes of an id, as stored in pack indexes.
  init(bytes b: UnsafeRawBufferPointer) {
    func u64(_ at: Int) -> UInt64 { (0..<8).reduce(0) { $0 << 8 | UInt64(b[at + $1]) } }
    let low = (0..<4).reduce(UInt32(0)) { $0 << 8 | UInt32(b[16 + $1]) }
    self.init(high: u64(0), middle: u64(8), low: low)
  }

  var hex: String {
    let digits = Array("0123456789abcdef".utf8)
    var out = [UInt8](repeating: 0, count: 40)
    for i in 0..<16 {
      out[i] = digits[Int(high >> UInt64(60 - 4 * i) & 15)]
      out[16 + i] = digits[Int(middle >> UInt64(60 - 4 * i) & 15)]
    }
    for i in 0..<8 { out[32 + i] = digits[Int(low >> UInt32(28 - 4 * i) & 15)] }
    return String(decoding: out, as: UTF8.self)
  }
}

enum ObjectType: UInt8 {
  case commit = 1, tree = 2, blob = 3, tag = 4
}

/// One pack and its index (version 2): the ids in index order, their offsets,
/// and the order of the objects in the pack.
final class PackFile: Sendable {
  let path: String
  let ids: [ObjectID]
  /// Offset of `ids[i]`.
  private let offsets: [Int]
  /// Index into `ids` of the object at each rank in pack order.
  private let byRank: [Int32]
  /// Objects an earlier pack holds too: read there, not again here.
  private let duplicate: [Bool]
  let size: Int

  var count: Int { byRank.count }

  init?(index: String, pack: String, alreadyRead: Set<ObjectID>) {
    guard let data = FileManager.default.contents(atPath: index), data.count >= 8 + 256 * 4 + 40 else { return nil }
    let parsed: (ids: [ObjectID], offsets: [Int])? = data.withUnsafeBytes { b in
      func u32(_ at: Int) -> UInt32 { (0..<4).reduce(0) { $0 << 8 | UInt32(b[at + $1]) } }
      // "\377tOc", version 2; a version 1 index (no header) is not read here.
      guard u32(0) == 0xFF74_4F63, u32(4) == 2 else { return nil }
      let n = Int(u32(8 + 255 * 4))
      let names = 8 + 256 * 4
      let small = names + n * 20 + n * 4
      let large = small + n * 4
      guard data.count >= large + 40 else { return nil }
      var ids: [ObjectID] = []
      var offsets: [Int] = []
      ids.reserveCapacity(n)
      offsets.reserveCapacity(n)
      for i in 0..<n {
        ids.append(ObjectID(bytes: UnsafeRawBufferPointer(rebasing: b[(names + i * 20)..<(names + i * 20 + 20)])))
        let o = u32(small + i * 4)
        if o & 0x8000_0000 == 0 {
          offsets.append(Int(o))
        } else {
          let at = large + Int(o & 0x7FFF_FFFF) * 8
          guard at + 8 <= data.count - 40 else { return nil }
          offsets.append(Int(UInt64(u32(at)) << 32 | UInt64(u32(at + 4))))
        }
      }
      return (ids, offsets)
    }
    guard let parsed else { return nil }
    let fd = Glibc.open(pack, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var st = stat()
    var header = [UInt8](repeating: 0, count: 12)
    guard fstat(fd, &st) == 0, pread(fd, &header, 12, 0) == 12 else { return nil }
    let version = Int(header[4]) << 24 | Int(header[5]) << 16 | Int(header[6]) << 8 | Int(header[7])
    let objects = Int(header[8]) << 24 | Int(header[9]) << 16 | Int(header[10]) << 8 | Int(header[11])
    guard header[0..<4].elementsEqual("PACK".utf8), version == 2 || version == 3, objects == parsed.ids.count else { return nil }
    let packSize = Int(st.st_size)
    guard parsed.offsets.allSatisfy({ $0 >= 12 && $0 < packSize - 20 }) else { return nil }
    self.path = pack
    size = packSize
    ids = parsed.ids
    offsets = parsed.offsets
    byRank = parsed.offsets.indices.sorted { parsed.offsets[$0] < parsed.offsets[$1] }.map { Int32($0) }
    duplicate = parsed.ids.map { alreadyRead.contains($0) }
  }

  func offset(ofRank r: Int) -> Int { offsets[Int(byRank[r])] }
  func id(ofRank r: Int) -> ObjectID { ids[Int(byRank[r])] }
  func isDuplicate(rank r: Int) -> Bool { duplicate[Int(byRank[r])] }
  /// Where the object at rank `r` ends: the next object, or the pack's checksum.
  func end(ofRank r: Int) -> Int { r + 1 < count ? offset(ofRank: r + 1) : size - 20 }

  /// The rank of the object at `offset`, if an object starts there.
  func rank(ofOffset offset: Int) -> Int? {
    var (lo, hi) = (0, count)
    while lo < hi {
      let mid = (lo + hi) / 2
      if self.offset(ofRank: mid) < offset { lo = mid + 1 } else { hi = mid }
    }
    return lo < count && self.offset(ofRank: lo) == offset ? lo : nil
  }

  /// The offset of `id` in this pack, if it is here.
  func offset(of id: ObjectID) -> Int? {
    var (lo, hi) = (0, ids.count)
    while lo < hi {
      let mid = (lo + hi) / 2
      if ids[mid] < id { lo = mid + 1 } else { hi = mid }
    }
    return lo < ids.count && ids[lo] == id ? offsets[lo] : nil
  }
}

/// One thread's reader: its open packs, its read buffer, its inflater, and a
/// cache of recently made objects that later deltas are built on.
final class PackReader {
  private var fds: [String: Int32] = [:]
  private var stream = z_stream()
  private var streamReady = false
  private let cache = ObjectCache(budget: 48 << 20)
  /// The largest object inflated or made, a base included: a blob over the
  /// scan's size limit is skipped, and its base may be larger, but not
  /// without bound (a damaged header can claim any size).
  private var inflateLimit = 1 << 30
  /// For each object the run's deltas build on, how many have yet to.
  private var pending: [Int: Int32] = [:]
  /// Object types by pack and rank (0: not known yet), for deltas whose
  /// chain was walked before.
  private var types: [String: [UInt8]] = [:]
  /// The bytes of the run being read: (pack, offset of the first, bytes).
  private var window: (String, Int, [UInt8])?
  /// Objects of the runs read so far that could not be read (their ids).
  var damaged: [String] = []

  deinit {
    for fd in fds.values { close(fd) }
    if streamReady { inflateEnd(&stream) }
  }

  /// One object's entry in a pack: where it starts, its type (or delta
  /// kind), the size its header gives, where its compressed data starts, and
  /// its delta base.
  private struct Entry {
    var offset: Int
    var kind: UInt8
    var size: Int
    var dataStart: Int
    var baseOffset: Int?
  }

  func readBlobs(of pack: PackFile, ranks: Range<Int>, maxSize: Int, _ body: (String, [UInt8]?) -> Void) throws(ScanError) {
    let fd = try descriptor(pack)
    inflateLimit = max(4 * maxSize, 64 << 20)
    // The run's bytes in one read: headers and data are then parsed in
    // memory, not fetched object by object. At most 16 MiB: a run ends with
    // one object of any size (a video someone committed), read on its own
    // if it is read at all.
    guard let first = ranks.first, let last = ranks.last else { return }
    let start = pack.offset(ofRank: first)
    window = (pack.path, start, try read(fd, start..<min(pack.end(ofRank: last), start + (16 << 20)), pack: pack))
    defer {
      window = nil
      pending = [:]
      cache.removeAll()
    }
    // Which objects the run's deltas build on, and how many times: those
    // are kept from when they are made until their last delta is (in a
    // pack git wrote, nearly every base of a blob is in the same run: on
    // wagtail's, 164,810 of 165,307).
    for r in ranks where !pack.isDuplicate(rank: r) {
      // A damaged header is that object's loss, found again below.
      if let base = try? entry(pack, fd: fd, at: pack.offset(ofRank: r), id: pack.id(ofRank: r)).baseOffset {
        pending[base, default: 0] += 1
      }
    }
    for r in ranks where !pack.isDuplicate(rank: r) {
      let offset = pack.offset(ofRank: r)
      let id = pack.id(ofRank: r)
      do throws(ScanError) {
        guard try type(in: pack, fd: fd, at: offset, id: id) == .blob else { continue }
        let entry = try self.entry(pack, fd: fd, at: offset, id: id)
        if entry.kind == ObjectType.blob.rawValue, entry.size > maxSize {
          body(id.hex, nil)
          continue
        }
        guard let bytes = try object(in: pack, fd: fd, at: offset, id: id, maxSize: maxSize) else {
          body(id.hex, nil)
          continue
        }
        body(id.hex, bytes)
      } catch .corruptObject {
        damaged.append(id.hex)
      } catch {
        throw error
      }
    }
  }

  private func descriptor(_ pack: PackFile) throws(ScanError) -> Int32 {
    if let fd = fds[pack.path] { return fd }
    let fd = Glibc.open(pack.path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw .unreadable(path: pack.path) }
    fds[pack.path] = fd
    return fd
  }

  private func read(_ fd: Int32, _ range: Range<Int>, pack: PackFile) throws(ScanError) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: range.count)
    var done = 0
    while done < range.count {
      let n = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, range.count - done, off_t(range.lowerBound + done)) }
      if n < 0, errno == EINTR { continue }
      guard n > 0 else { throw .unreadable(path: pack.path) }
      done += n
    }
    return out
  }

  /// `body` over the pack's bytes in `range`: from the run's window when
  /// they are in it, else read (a delta base before the run).
  private func withBytes<T>(
    _ pack: PackFile, fd: Int32, _ range: Range<Int>, _ body: (UnsafeRawBufferPointer) -> T
  ) throws(ScanError) -> T {
    if let (path, start, bytes) = window, path == pack.path, range.lowerBound >= start, range.upperBound <= start + bytes.count {
      return bytes.withUnsafeBytes { raw in
        body(UnsafeRawBufferPointer(rebasing: raw[(range.lowerBound - start)..<(range.upperBound - start)]))
      }
    }
    let bytes = try read(fd, range, pack: pack)
    return bytes.withUnsafeBytes { body($0) }
  }

  private func entry(_ pack: PackFile, fd: Int32, at offset: Int, id: ObjectID) throws(ScanError) -> Entry {
    // A header is at most 10 bytes of size, 10 of base offset or 20 of base id.
    let head = try withBytes(pack, fd: fd, offset..<min(offset + 32, pack.size - 20)) { Array($0) }
    var i = 0
    var c = head[i]
    let kind = (c >> 4) & 7
    var size = Int(c & 15)
    var shift = 4
    while c & 0x80 != 0 {
      i += 1
      guard i < head.count, shift < 57 else { throw .corruptObject(id: id.hex, path: pack.path) }
      c = head[i]
      size |= Int(c & 0x7F) << shift
      shift += 7
    }
    i += 1
    switch kind {
    case 1...4:
      return Entry(offset: offset, kind: kind, size: size, dataStart: offset + i, baseOffset: nil)
    case 6:
      guard i < head.count else { throw .corruptObject(id: id.hex, path: pack.path) }
      c = head[i]
      var back = Int(c & 0x7F)
      while c & 0x80 != 0 {
        i += 1
        guard i < head.count, back < 1 << 50 else { throw .corruptObject(id: id.hex, path: pack.path) }
        c = head[i]
        back = ((back + 1) << 7) | Int(c & 0x7F)
      }
      guard back > 0, back <= offset else { throw .corruptObject(id: id.hex, path: pack.path) }
      return Entry(offset: offset, kind: kind, size: size, dataStart: offset + i + 1, baseOffset: offset - back)
    case 7:
      guard i + 20 <= head.count else { throw .corruptObject(id: id.hex, path: pack.path) }
      let base = head.withUnsafeBytes { ObjectID(bytes: UnsafeRawBufferPointer(rebasing: $0[i..<(i + 20)])) }
      // A base in another pack happens only in a thin pack, which git never
      // stores: refused as corrupt rather than guessed at.
      guard let at = pack.offset(of: base) else { throw .corruptObject(id: id.hex, path: pack.path) }
      return Entry(offset: offset, kind: kind, size: size, dataStart: offset + i + 20, baseOffset: at)
    default:
      throw .corruptObject(id: id.hex, path: pack.path)
    }
  }

  /// The type of the object at `offset`: a delta has its base's type, found
  /// by walking the chain's headers (nothing inflated).
  private func type(in pack: PackFile, fd: Int32, at offset: Int, id: ObjectID) throws(ScanError) -> ObjectType {
    var chain: [Int] = []
    var at = offset
    var found: ObjectType?
    while found == nil {
      let rank = pack.rank(ofOffset: at)
      if let rank, let known = types[pack.path].flatMap({ ObjectType(rawValue: $0[rank]) }) {
        found = known
        break
      }
      let e = try entry(pack, fd: fd, at: at, id: id)
      if let t = ObjectType(rawValue: e.kind) {
        found = t
        break
      }
      chain.append(at)
      guard let base = e.baseOffset, chain.count < 10_000 else { throw .corruptObject(id: id.hex, path: pack.path) }
      at = base
    }
    let t = found!
    // Only deltas are remembered: a whole object's header is read anyway.
    if !chain.isEmpty {
      var known = types[pack.path] ?? [UInt8](repeating: 0, count: pack.count)
      types[pack.path] = nil  // one owner while it changes: no copy
      for o in chain { if let r = pack.rank(ofOffset: o) { known[r] = t.rawValue } }
      types[pack.path] = known
    }
    return t
  }

  /// The bytes of the object at `offset`, its delta chain applied; nil when
  /// the result would be larger than `maxSize`.
  private func object(in pack: PackFile, fd: Int32, at offset: Int, id: ObjectID, maxSize: Int) throws(ScanError) -> [UInt8]? {
    // Walk down to a cached or whole object, then build back up.
    var chain: [Entry] = []
    var at = offset
    var bytes: [UInt8]
    while true {
      if let cached = cache.get(at) {
        bytes = cached
        break
      }
      let e = try entry(pack, fd: fd, at: at, id: id)
      // Built on something too large to make: skipped as too large itself.
      if e.size > inflateLimit { return nil }
      if e.kind != 6 && e.kind != 7 {
        bytes = try inflate(pack, fd: fd, e, id: id)
        keepIfBase(at, bytes)
        break
      }
      chain.append(e)
      guard let base = e.baseOffset, chain.count < 10_000 else { throw .corruptObject(id: id.hex, path: pack.path) }
      at = base
    }
    for (depth, e) in chain.enumerated().reversed() {
      // `bytes` is the base of `e`; depth 0 is the object asked for.
      let delta = try inflate(pack, fd: fd, e, id: id)
      if depth == 0 {
        used(base: e.baseOffset!)
        // Over the scan's limit: skipped and counted, like a whole blob.
        if let size = Delta.targetSize(delta), size > maxSize { return nil }
      }
      guard let made = Delta.apply(delta, to: bytes, maxSize: inflateLimit) else {
        throw .corruptObject(id: id.hex, path: pack.path)
      }
      bytes = made
      keepIfBase(e.offset, bytes)
    }
    return bytes
  }

  /// Keeps an object the run's deltas have yet to build on.
  private func keepIfBase(_ offset: Int, _ bytes: [UInt8]) {
    if pending[offset, default: 0] > 0 { cache.put(offset, bytes) }
  }

  /// One of the run's deltas was built on `base`: once none is left to
  /// build, it is dropped.
  private func used(base: Int) {
    guard let n = pending[base] else { return }
    if n <= 1 {
      pending[base] = nil
      cache.remove(base)
    } else {
      pending[base] = n - 1
    }
  }

  private func inflate(_ pack: PackFile, fd: Int32, _ e: Entry, id: ObjectID) throws(ScanError) -> [UInt8] {
    // A header can claim any size and a span can be shorter than its
    // header: neither may reach an allocation or a range.
    guard let rank = pack.rank(ofOffset: e.offset), e.dataStart <= pack.end(ofRank: rank), e.size <= inflateLimit else {
      throw .corruptObject(id: id.hex, path: pack.path)
    }
    guard let out = try withBytes(pack, fd: fd, e.dataStart..<pack.end(ofRank: rank), { inflateZlib($0, size: e.size) }) else {
      throw .corruptObject(id: id.hex, path: pack.path)
    }
    return out
  }

  private func inflateZlib(_ src: UnsafeRawBufferPointer, size: Int) -> [UInt8]? {
    if !streamReady {
      guard djsec_inflate_init(&stream) == Z_OK else { return nil }
      streamReady = true
    } else {
      guard inflateReset(&stream) == Z_OK else { return nil }
    }
    var ok = false
    let out = [UInt8](unsafeUninitializedCapacity: max(size, 1)) { buffer, initialized in
      guard let input = src.baseAddress else { return }
      stream.next_in = UnsafeMutablePointer(mutating: input.assumingMemoryBound(to: Bytef.self))
      stream.avail_in = uInt(src.count)
      stream.next_out = buffer.baseAddress!
      stream.avail_out = uInt(max(size, 1))
      let status = CZlib.inflate(&stream, Z_FINISH)
      ok = status == Z_STREAM_END && Int(stream.total_out) == size
      initialized = ok ? size : 0
    }
    return ok ? out : nil
  }
}

/// The objects a run's deltas are still to be built on, by offset, up to a
/// byte budget (past it the oldest go, and are made again if needed).
final class ObjectCache {
  private var entries: [Int: [UInt8]] = [:]
  private var order: [Int] = []
  private var head = 0
  private var bytes = 0
  private let budget: Int

  init(budget: Int) { self.budget = budget }

  func get(_ offset: Int) -> [UInt8]? { entries[offset] }

  func put(_ offset: Int, _ value: [UInt8]) {
    guard value.count <= budget / 4, entries[offset] == nil else { return }
    entries[offset] = value
    order.append(offset)
    bytes += value.count
    while bytes > budget, head < order.count {
      let old = order[head]
      head += 1
      if let gone = entries.removeValue(forKey: old) { bytes -= gone.count }
    }
    if head > 4096, head * 2 > order.count {
      order.removeFirst(head)
      head = 0
    }
  }

  func remove(_ offset: Int) {
    if let gone = entries.removeValue(forKey: offset) { bytes -= gone.count }
  }

  func removeAll() {
    entries.removeAll(keepingCapacity: true)
    order.removeAll(keepingCapacity: true)
    head = 0
    bytes = 0
  }
}
