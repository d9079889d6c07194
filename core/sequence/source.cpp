#include "sequence/source.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "common/error.hpp"

namespace attnscope {

void Source::readAt(uint64_t offset, void* dst, size_t len) {
  if (offset > size_ || len > size_ - offset)
    throw Error(ErrorKind::Truncated, name_ + ": at byte " + std::to_string(offset) + ": needs " + std::to_string(len) +
                                          " bytes but the file ends at byte " + std::to_string(size_));
  if (len) doRead(offset, dst, len);
}

std::string Source::readSome(uint64_t offset, size_t maxLen) {
  if (offset >= size_) return {};
  const size_t len = static_cast<size_t>(std::min<uint64_t>(maxLen, size_ - offset));
  std::string out(len, '\0');
  readAt(offset, out.data(), len);
  return out;
}

namespace {

class FileSource final : public Source {
 public:
  FileSource(std::string path, std::FILE* file, uint64_t size) : Source(std::move(path), size), file_(file) {}
  ~FileSource() override { std::fclose(file_); }

 protected:
  void doRead(uint64_t offset, void* dst, size_t len) override {
    if (fseeko(file_, static_cast<off_t>(offset), SEEK_SET) != 0 || std::fread(dst, 1, len, file_) != len)
      throw Error(ErrorKind::Io, name() + ": read failed at byte " + std::to_string(offset) + " (the file may have changed while loading)");
  }

 private:
  std::FILE* file_;
};

class MemorySource final : public Source {
 public:
  MemorySource(std::string_view bytes, std::string name) : Source(std::move(name), bytes.size()), bytes_(bytes) {}

 protected:
  void doRead(uint64_t offset, void* dst, size_t len) override { std::memcpy(dst, bytes_.data() + offset, len); }

 private:
  std::string_view bytes_;
};

}  // namespace

std::unique_ptr<Source> openFileSource(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) throw Error(ErrorKind::Io, path + ": cannot open file (" + std::strerror(errno) + ")");
  struct stat st {};
  if (fstat(fileno(file), &st) != 0 || !S_ISREG(st.st_mode)) {
    std::fclose(file);
    throw Error(ErrorKind::Io, path + ": not a regular file");
  }
  return std::make_unique<FileSource>(path, file, static_cast<uint64_t>(st.st_size));
}

std::unique_ptr<Source> memorySource(std::string_view bytes, std::string name) {
  return std::make_unique<MemorySource>(bytes, std::move(name));
}

ChunkReader::ChunkReader(Source& source, size_t chunkBytes, uint64_t start)
    : source_(source), chunkBytes_(std::max<size_t>(chunkBytes, 1)), position_(std::min(start, source.size())) {}

std::string_view ChunkReader::next() {
  chunkOffset_ = position_;
  if (position_ >= source_.size()) return {};
  const size_t len = static_cast<size_t>(std::min<uint64_t>(chunkBytes_, source_.size() - position_));
  buffer_.resize(len);
  source_.readAt(position_, buffer_.data(), len);
  position_ += len;
  return buffer_;
}

}  // namespace attnscope
