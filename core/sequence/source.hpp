// Where a loader's bytes come from: a file on disk or a buffer in memory.
// Every read is checked against the real size, so no header can make a
// loader read or allocate past what is actually there.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace attnscope {

class Source {
 public:
  virtual ~Source() = default;
  const std::string& name() const { return name_; }
  uint64_t size() const { return size_; }
  // Copies len bytes at offset into dst; throws Error(Truncated) naming the
  // offset when the range passes the end of the source.
  void readAt(uint64_t offset, void* dst, size_t len);
  // Up to maxLen bytes from offset (fewer at the end).
  std::string readSome(uint64_t offset, size_t maxLen);

 protected:
  Source(std::string name, uint64_t size) : name_(std::move(name)), size_(size) {}
  virtual void doRead(uint64_t offset, void* dst, size_t len) = 0;

 private:
  std::string name_;
  uint64_t size_;
};

// Throws Error(Io) when the path cannot be opened or is not a regular file.
std::unique_ptr<Source> openFileSource(const std::string& path);
// The bytes must outlive the source.
std::unique_ptr<Source> memorySource(std::string_view bytes, std::string name);

// Reads a source front to back in chunks of a fixed size, so text formats can
// stream files of any length with bounded memory.
class ChunkReader {
 public:
  ChunkReader(Source& source, size_t chunkBytes, uint64_t start = 0);
  // The next chunk, empty at the end; valid until the next call.
  std::string_view next();
  // File offset of the first byte of the chunk last returned.
  uint64_t chunkOffset() const { return chunkOffset_; }
  bool atEnd() const { return position_ >= source_.size(); }

 private:
  Source& source_;
  size_t chunkBytes_;
  uint64_t position_;
  uint64_t chunkOffset_ = 0;
  std::string buffer_;
};

}  // namespace attnscope
