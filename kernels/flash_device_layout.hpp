// A flash layout uploaded to the device: the arrays of FlashLayoutArrays in
// device memory (counted by the meter) and the view a launch takes.
#pragma once

#include "device_buffer.hpp"
#include "flash_layout_host.hpp"

namespace attnscope::kernels {

class DeviceFlashLayout {
 public:
  DeviceFlashLayout(const FlashLayoutArrays& a, MemoryMeter* meter)
      : rowStart_(meter, a.rowStart.data(), a.rowStart.size()),
        colBlock_(meter, a.colBlock.data(), a.colBlock.size()),
        kind_(meter, a.kind.data(), a.kind.size()),
        bitsOffset_(meter, a.bitsOffset.data(), a.bitsOffset.size()),
        bits_(meter, a.bits.data(), a.bits.size()),
        globalRow_(meter, a.globalRow.data(), a.globalRow.size()),
        globalCol_(meter, a.globalCol.data(), a.globalCol.size()) {
    view_ = a.scalars;
    view_.rowStart = rowStart_.get();
    view_.colBlock = colBlock_.get();
    view_.kind = kind_.get();
    view_.bitsOffset = bitsOffset_.get();
    view_.bits = bits_.get();
    view_.globalRow = globalRow_.get();
    view_.globalCol = globalCol_.get();
  }
  const FlashLayoutView& view() const { return view_; }

 private:
  DeviceArray<int64_t> rowStart_;
  DeviceArray<int32_t> colBlock_;
  DeviceArray<uint8_t> kind_;
  DeviceArray<int64_t> bitsOffset_;
  DeviceArray<uint64_t> bits_;
  DeviceArray<uint8_t> globalRow_, globalCol_;
  FlashLayoutView view_;
};

}  // namespace attnscope::kernels
