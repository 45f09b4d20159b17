/// What to scan in one blob. Plain text is scanned as it is; other content is
/// first turned into text views: UTF-16 decoded, zip members unpacked, strings
/// pulled out of binaries (`.pyc`), base64 values of Kubernetes Secrets decoded.
struct View {
  /// The path findings in this view are reported at (`a.zip!inner/.env` for a member).
  var path: String
  var bytes: [UInt8]
  /// Strings pulled out of a binary file (binary-scoped rules run on these too).
  var binaryStrings = false
}

enum Views {
  struct Limits {
    var maxArchiveDepth = 2
    var maxMemberSize = 16 << 20
    var maxArchiveTotal = 64 << 20
  }

  /// Binary when a NUL byte appears in the first 8 KB, as git itself decides.
  static func isBinary(_ bytes: UnsafeRawBufferPointer) -> Bool {
    let n = min(bytes.count, 8000)
    guard n > 0 else { return false }
    return Bytes.contains(UnsafeRawBufferPointer(rebasing: bytes[0..<n]), byte: 0)
  }

  /// What a blob turned out to be, for the scan's counters.
  enum Kind {
    case text, utf16, archive, binary
  }

  /// Extra views of a blob besides its raw bytes (which the caller scans when
  /// the blob is text), and what kind of blob it is. `depth` counts archive nesting.
  static func derived(from bytes: UnsafeRawBufferPointer, path: String, limits: Limits, depth: Int = 0) -> (
    scanRaw: Bool, views: [View], kind: Kind
  ) {
    if let text = UTF16Text.decode(bytes) {
      return (false, [View(path: path, bytes: text)], .utf16)
    }
    if isBinary(bytes) {
      if Zip.isArchive(bytes) {
        guard depth < limits.maxArchiveDepth else { return (false, [], .archive) }
        var views: [View] = []
        for member in Zip.members(of: bytes, maxMemberSize: limits.maxMemberSize, maxTotal: limits.maxArchiveTotal) {
          let inner = path + "!" + member.name
          member.bytes.withUnsafeBytes { raw in
            let (scanRaw, more, _) = derived(from: raw, path: inner, limits: limits, depth: depth + 1)
            if scanRaw { views.append(View(path: inner, bytes: member.bytes)) }
            views += more
          }
        }
        return (false, views, .archive)
      }
      if Media.holdsNoConfiguration(bytes) { return (false, [], .binary) }
      return (false, [View(path: path, bytes: BinaryStrings.extract(bytes), binaryStrings: true)], .binary)
    }
    // Text is scanned raw; what needs decoding inside it (a Kubernetes
    // Secret) is found by the same match pass (SecretScanner.scanText).
    return (true, [], .text)
  }
}

/// Images, fonts and compiled translations hold no configuration: their
/// strings are not worth pulling out. They are most of a web project's binary
/// blobs: wagtail's history holds 37,000 gettext catalogues (`.mo`, 240 MB).
enum Media {
  static func holdsNoConfiguration(_ b: UnsafeRawBufferPointer) -> Bool {
    func starts(_ magic: [UInt8]) -> Bool { b.count >= magic.count && magic.indices.allSatisfy { b[$0] == magic[$0] } }
    return starts([0xDE, 0x12, 0x04, 0x95]) || starts([0x95, 0x04, 0x12, 0xDE])  // gettext .mo, either byte order
      || starts([0x89, 0x50, 0x4E, 0x47])  // PNG
      || starts([0xFF, 0xD8, 0xFF])  // JPEG
      || starts(Array("GIF8".utf8)) || starts(Array("wOFF".utf8)) || starts(Array("wOF2".utf8))
      || starts([0x00, 0x00, 0x01, 0x00])  // ICO
      || starts([0x00, 0x01, 0x00, 0x00]) || starts(Array("OTTO".utf8))  // TrueType, OpenType
      || (starts(Array("RIFF".utf8)) && b.count >= 12 && b[8] == 0x57 && b[9] == 0x45 && b[10] == 0x42 && b[11] == 0x50)  // WebP
  }
}

enum UTF16Text {
  /// UTF-8 bytes of a UTF-16 text (with a byte-order mark, or ASCII-heavy
  /// text whose every other byte is NUL); nil for anything else.
  static func decode(_ b: UnsafeRawBufferPointer) -> [UInt8]? {
    guard b.count >= 4 else { return nil }
    var littleEndian: Bool
    var start = 0
    if b[0] == 0xFF, b[1] == 0xFE {
      littleEndian = true
      start = 2
    } else if b[0] == 0xFE, b[1] == 0xFF {
      littleEndian = false
      start = 2
    } else {
      let n = min(b.count & ~1, 512)
      var oddNul = 0
      var evenNul = 0
      for i in stride(from: 0, to: n, by: 2) {
        if b[i] == 0 { evenNul += 1 }
        if b[i + 1] == 0 { oddNul += 1 }
      }
      let pairs = n / 2
      if oddNul * 10 >= pairs * 9, evenNul == 0 {
        littleEndian = true
      } else if evenNul * 10 >= pairs * 9, oddNul == 0 {
        littleEndian = false
      } else {
        return nil
      }
    }
    var units: [UInt16] = []
    units.reserveCapacity((b.count - start) / 2)
    var i = start
    while i + 1 < b.count {
      units.append(littleEndian ? UInt16(b[i]) | UInt16(b[i + 1]) << 8 : UInt16(b[i]) << 8 | UInt16(b[i + 1]))
      i += 2
    }
    return Array(String(decoding: units, as: UTF16.self).utf8)
  }
}

enum BinaryStrings {
  /// The strings of a binary file, one per line, each in double quotes so
  /// that rules for quoted literals match them. Python's marshal format (in
  /// `.pyc`) is read exactly: a type byte, a length, then the characters.
  /// Elsewhere, runs of 8+ printable bytes are taken.
  static func extract(_ b: UnsafeRawBufferPointer) -> [UInt8] {
    var out: [UInt8] = []
    var i = 0
    var runStart = -1
    func printable(_ c: UInt8) -> Bool { (c >= 0x20 && c < 0x7F) || c == 9 }
    func emit(_ r: Range<Int>) {
      out.append(34)
      out.append(contentsOf: b[r])
      out.append(34)
      out.append(10)
    }
    while i < b.count {
      let type = b[i] & 0x7F
      // marshal: 'z'/'Z' short ASCII (1-byte length), 'a'/'A'/'u'/'t'/'s' (4-byte length).
      var length = -1
      var header = 0
      if type == UInt8(ascii: "z") || type == UInt8(ascii: "Z"), i + 1 < b.count {
        length = Int(b[i + 1])
        header = 2
      } else if type == 0x61 || type == 0x41 || type == 0x75 || type == 0x74 || type == 0x73, i + 4 < b.count {  // a A u t s
        length = Int(b[i + 1]) | Int(b[i + 2]) << 8 | Int(b[i + 3]) << 16 | Int(b[i + 4]) << 24
        header = 5
      }
      if length >= 8, i + header + length <= b.count, b[(i + header)..<(i + header + length)].allSatisfy(printable) {
        if runStart >= 0, i - runStart >= 8 { emit(runStart..<i) }
        runStart = -1
        emit((i + header)..<(i + header + length))
        i += header + length
        continue
      }
      if printable(b[i]) {
        if runStart < 0 { runStart = i }
      } else {
        if runStart >= 0, i - runStart >= 8 { emit(runStart..<i) }
        runStart = -1
      }
      i += 1
    }
    if runStart >= 0, b.count - runStart >= 8 { emit(runStart..<b.count) }
    return out
  }
}

enum KubernetesSecret {
  /// For a manifest with `kind: Secret`, a view with the same line numbers in
  /// which each base64 value under `data:` is decoded (`KEY: "value"`) and
  /// every other line is empty; nil when there is nothing to decode.
  static func decodedView(_ b: UnsafeRawBufferPointer) -> ([UInt8], Set<Int>)? {
    guard Bytes.contains(b, "kind: Secret") || Bytes.contains(b, "\"kind\": \"Secret\"") else { return nil }
    var out: [UInt8] = []
    var decodedLines: Set<Int> = []
    var lineNumber = 1
    var inData = false
    var dataIndent = -1
    var lineStart = 0
    while lineStart <= b.count {
      var lineEnd = lineStart
      while lineEnd < b.count, b[lineEnd] != 10 { lineEnd += 1 }
      let line = b[lineStart..<lineEnd]
      let indent = line.prefix(while: { $0 == 32 }).count
      let body = line.dropFirst(indent)
      if body.starts(with: Array("data:".utf8)) {
        inData = true
        dataIndent = indent
      } else if inData, !body.isEmpty, indent <= dataIndent {
        inData = false
      }
      if inData, indent > dataIndent, let colon = body.firstIndex(of: UInt8(ascii: ":")) {
        let key = b[body.startIndex..<colon]
        var value = b[(colon + 1)..<lineEnd]
        while let f = value.first, f == 32 || f == 34 || f == 39 { value = value.dropFirst() }
        while let l = value.last, l == 32 || l == 34 || l == 39 || l == 13 { value = value.dropLast() }
        if let decoded = Base64.decode(Array(value)), !decoded.isEmpty, decoded.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
          out += Array(repeating: 32, count: indent) + Array(key) + Array(": \"".utf8) + decoded + [34]
          decodedLines.insert(lineNumber)
        }
      }
      out.append(10)
      lineStart = lineEnd + 1
      lineNumber += 1
    }
    return decodedLines.isEmpty ? nil : (out, decodedLines)
  }

}

enum Base64 {
  /// Standard base64 (padding optional); nil when the text is not base64.
  static func decode(_ text: [UInt8]) -> [UInt8]? {
    var table = [Int8](repeating: -1, count: 256)
    for (i, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() { table[Int(c)] = Int8(i) }
    var out: [UInt8] = []
    var acc: UInt32 = 0
    var bits = 0
    var seenPad = false
    for c in text {
      if c == UInt8(ascii: "=") {
        seenPad = true
        continue
      }
      let v = table[Int(c)]
      guard v >= 0, !seenPad else { return nil }
      acc = acc << 6 | UInt32(v)
      bits += 6
      if bits >= 8 {
        bits -= 8
        out.append(UInt8((acc >> UInt32(bits)) & 0xFF))
      }
    }
    return text.count >= 4 ? out : nil
  }
}
