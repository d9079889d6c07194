// memory_slots on the GPU: the write recurrence, one block per (slot group,
// head) serial over segments (memory_slots_write_kernel.cuh), fills the slot
// rows of the extended keys and values on the device; then every segment's
// read is one flash launch over them (memory_slots_flash.hpp). The memory trace keeps the
// CPU backend's snapshots of the slot contents (read back after the timed
// writes), with provenance (which tokens each slot holds) from the write
// weights the recurrence keeps (n <= 4096, the CPU's rule). The per-segment
// mass on memory comes from one flash probe product over the extended keys
// after the timed run.
#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>

#include "attention/registry.hpp"
#include "attention/variants/memory_slots.hpp"
#include "common/error.hpp"
#include "cuda_flash_kernel.hpp"
#include "cuda_head_operator.hpp"
#include "cuda_kernel_table.hpp"
#include "device_buffer.hpp"
#include "flash_probe_operator.hpp"
#include "memory_slots_flash.hpp"
#include "memory_slots_write.hpp"

namespace attnscope::kernels {

namespace {

constexpr int64_t kMaxLayoutBytes = int64_t{256} << 20;  // as for hierarchical: beyond this the layout costs more than the reads
// dv != d is refused by the variant itself (memory_slots.cpp), on every backend.

bool memorySlotsAccepts(const AttentionSpec& spec, const Shape* shape, std::string* why) {
  if (!flashAccepts(spec, shape, why)) return false;
  if (!shape) return true;
  const std::string reason = memorySlotsFlashSupports(slotKeysFor(spec, shape->n), kMaxLayoutBytes);
  if (reason.empty()) return true;
  *why = reason;
  return false;
}

class MemorySlotsKernel final : public CudaKernel {
 public:
  AttentionResult run(const AttentionSpec& spec, const Qkv& qkv, const RunOptions& options) const override {
    const Shape shape{qkv.n(), qkv.d(), qkv.dv(), qkv.heads(), spec.causal, 1};
    VariantRegistry::instance().get("memory_slots").validate(spec, shape);
    std::string why;
    if (!memorySlotsAccepts(spec, &shape, &why)) throw Error(ErrorKind::Unsupported, "cuda memory_slots: " + why);
    const SlotKeys keys = slotKeysFor(spec, qkv.n());
    const BlockLayout layout = memorySlotsFlashLayout(keys);
    if (options.cancel) options.cancel->check();
    const Qkv extended = withSlotRows(qkv, keys);
    const int64_t S = keys.slotCount, d = qkv.d(), T = keys.segments, heads = qkv.heads();
    const Mat initial = memorySlotsInitialQueries(S, d);

    SlotWriteParams p;
    p.heads = static_cast<int>(heads);
    p.n = qkv.n();
    p.nKeys = keys.keys();
    p.d = d;
    p.slotCount = S;
    p.segment = keys.segment;
    p.segments = T;
    p.slotBase = keys.slotBase();
    p.slotStride = keys.slotStride();
    p.scale = 1.0f / std::sqrt(static_cast<float>(d));
    p.gate = static_cast<float>(spec.params.getFloat("gate"));

    // Allocated inside the run so CUPTI attributes them to it.
    std::optional<DeviceArray<float>> initialDev, weights, provenance;
    const bool keepProvenance = qkv.n() <= kMemorySlotsProvenanceMaxN;
    std::vector<Mat> stored(static_cast<size_t>(heads));  // per head [S x n], read back
    const int64_t stride = memorySlotsSnapshotStride(T);
    std::vector<std::vector<MemorySnapshot>> snapshots(static_cast<size_t>(heads));
    FlashPrepare write;
    write.kernelNames = {"memorySlotsWrite"};
    write.flops = static_cast<double>(heads) * static_cast<double>(qkv.n()) * static_cast<double>(S) * 2.0 * (3.0 * static_cast<double>(d));
    write.run = [&](const FlashDeviceInputs& in, FlashStream stream) {
      initialDev.emplace(nullptr, initial.data(), static_cast<size_t>(initial.size()));
      weights.emplace(nullptr, static_cast<size_t>(heads * S * keys.segment));
      p.k = in.k;
      p.v = in.v;
      p.initial = initialDev->get();
      p.weights = weights->get();
      if (keepProvenance) {
        provenance.emplace(nullptr, static_cast<size_t>(heads * S * qkv.n()));
        p.provenance = provenance->get();
      }
      return launchMemorySlotsWrite(p, stream);
    };
    // Every head's extended keys with the written slot rows, for the mass on memory.
    std::vector<Mat> slotKeys(static_cast<size_t>(heads));
    write.readBack = [&](const FlashDeviceInputs& in) {
      for (int64_t h = 0; keepProvenance && h < heads; ++h) {
        Mat& s = stored[static_cast<size_t>(h)];
        s.resize(S, qkv.n());
        checkCuda(cudaMemcpy(s.data(), provenance->get() + h * S * qkv.n(), static_cast<size_t>(s.size()) * sizeof(float), cudaMemcpyDeviceToHost),
                  "copy provenance");
      }
      for (int64_t h = 0; h < heads; ++h) {
        Mat& ext = slotKeys[static_cast<size_t>(h)];
        ext = extended.k[static_cast<size_t>(h)];
        const int64_t slotRows = keys.keys() - keys.slotBase();
        checkCuda(cudaMemcpy(ext.data() + keys.slotBase() * d, in.k + (h * keys.keys() + keys.slotBase()) * d, static_cast<size_t>(slotRows * d) * sizeof(float),
                             cudaMemcpyDeviceToHost),
                  "copy slot keys");
      }
      for (int64_t h = 0; h < heads; ++h)
        for (int64_t t = 0; t < T; ++t) {
          if (!memorySlotsKeepsSnapshot(t, T)) continue;
          MemorySnapshot snap;
          snap.segment = t;
          snap.endToken = std::min(qkv.n(), (t + 1) * keys.segment);
          snap.slotValues.resize(S, d);
          const float* state = in.k + (h * keys.keys() + keys.slotStart(t + 1)) * d;  // M_{t+1}: after write t
          checkCuda(cudaMemcpy(snap.slotValues.data(), state, static_cast<size_t>(S * d) * sizeof(float), cudaMemcpyDeviceToHost), "copy slot states");
          snapshots[static_cast<size_t>(h)].push_back(std::move(snap));
        }
    };

    const double flops = VariantRegistry::instance().get(spec.variant).cost(spec, shape).flops;
    AttentionResult result = flashAttentionResult(spec, extended, {&layout}, flops, p.scale, &write);
    // Device bytes beyond Q, K, V and O: the layout, the padding and slot rows of K and V, the seeded queries and the write weights.
    result.peakWorkspaceBytes += ((keys.keys() - keys.n) * 2 * d * heads + S * d + heads * S * keys.segment + (keepProvenance ? heads * S * qkv.n() : 0)) *
                                 static_cast<int64_t>(sizeof(float));
    std::vector<std::string> provenanceNotes;
    for (int64_t h = 0; h < heads; ++h) {
      HeadExtras& extras = result.extras[static_cast<size_t>(h)];
      extras.memory = std::move(snapshots[static_cast<size_t>(h)]);
      std::vector<std::string> notes;
      attachMemorySlotsProvenance(extras.memory, stored[static_cast<size_t>(h)], keys.segment, p.gate, notes);
      if (h == 0) provenanceNotes = std::move(notes);
      extras.scalars.emplace_back("segments", static_cast<double>(T));
      extras.scalars.emplace_back("slots", static_cast<double>(S));
    }
    // The mass on memory: one probe product per head over the extended keys, after the timed run.
    const std::unique_ptr<ProbeDevice> probe = cudaProbeDevice();
    for (int64_t h = 0; h < heads; ++h) {
      if (options.cancel) options.cancel->check();
      result.extras[static_cast<size_t>(h)].memoryMass = memorySlotsMemoryMass(*probe, spec, qkv.q[static_cast<size_t>(h)], slotKeys[static_cast<size_t>(h)]);
    }
    HeadExtras& first = result.extras.front();
    if (stride > 1) first.notes.push_back("memory trace keeps one segment in " + std::to_string(stride) + " (at most " + std::to_string(kMemorySlotsMaxSnapshots) + " snapshots)");
    first.notes.insert(first.notes.end(), provenanceNotes.begin(), provenanceNotes.end());
    first.notes.push_back("the mass on memory per segment: an fp32 pass on the device after the timed run, not in its time");
    return result;
  }
};

}  // namespace

void addMemorySlotsKernel(KernelTable<CudaKernel>& table) { table.add("memory_slots", std::make_shared<MemorySlotsKernel>(), &memorySlotsAccepts); }

}  // namespace attnscope::kernels
