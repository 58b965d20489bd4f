#include "procmatch/snapshot.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <numeric>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/stubs/logging.h"
#include "procmatch/cpv_concepts.h"
#include "procmatch/internal/crc32.h"
#include "procmatch/internal/index_data.h"
#include "procmatch/internal/snapshot_layout.h"
#include "procmatch/v1/snapshot.pb.h"
#include "procmatch/version.h"

namespace procmatch {
namespace {

using internal::GetUint32;
using internal::GetUint64;
using internal::kSnapshotFixedHeader;
using internal::kSnapshotHeaderCrcAt;
using internal::kSnapshotMagic;
using internal::kSnapshotTableEntry;
using internal::PutUint32;
using internal::PutUint64;
using internal::SnapshotAligned;
using internal::SnapshotHeaderCrc;

// The sections, in file order.
enum SectionKind : uint32_t {
  kHeaderSection = 1,        // v1::SnapshotHeader.
  kVocabularySection = 2,    // Terms in byte order.
  kProfilesSection = 3,      // Serialized v1::SupplierProfile, by supplier.
  kTermsSection = 4,         // (term id, frequency) pairs, by supplier.
  kConceptsSection = 5,      // (CPV digits, weight) pairs, by supplier.
  kTermPostingsSection = 6,  // TermPostingStore::AppendSection (format 3 on).
  kCpvPostingsSection = 7,   // AppendCpvPostingsSection (format 4).
  kOfferedCpvPostingsSection = 8,  // AppendCpvPostingsSection (format 4).
};
constexpr uint32_t kSectionCount = 8;
// The oldest format read. Older formats have the first sections only: what
// they lack is derived on load.
constexpr uint32_t kOldestFormatVersion = 2;

// The sections of a format read: 5 in format 2, 6 in format 3.
uint32_t SectionsOfFormat(uint32_t version) {
  return version == 2 ? 5 : version == 3 ? 6 : kSectionCount;
}

// The format versions this procmatch reads, for messages: "2 to 3".
std::string FormatsRead() {
  return absl::StrCat(kOldestFormatVersion, " to ", kSnapshotFormatVersion);
}

const char* SectionName(uint32_t kind) {
  static const char* const kNames[] = {"",
                                       "header",
                                       "vocabulary",
                                       "profiles",
                                       "terms",
                                       "concepts",
                                       "term postings",
                                       "CPV postings",
                                       "offered CPV postings"};
  return kind <= kSectionCount ? kNames[kind] : "unknown";
}

// A section of `n` items of varying size: n end offsets (uint64, in bytes
// or, for fixed-size entries, in entries), then the items back to back.
// SaveSnapshot builds the vocabulary with it, before the file's sections are
// sized; the per-supplier sections are written in place, in the same form.
class ItemsWriter {
 public:
  explicit ItemsWriter(size_t n) { ends_.reserve(n); }
  std::string* data() { return &data_; }
  void EndItem(uint64_t end) { ends_.push_back(end); }
  // The section's size in bytes.
  size_t size() const { return 8 * ends_.size() + data_.size(); }
  // Appends the section to `out` and lets its memory go.
  void MoveTo(std::string* out) {
    for (uint64_t end : ends_) PutUint64(end, out);
    out->append(data_);
    std::vector<uint64_t>().swap(ends_);
    std::string().swap(data_);
  }

 private:
  std::vector<uint64_t> ends_;
  std::string data_;
};

class Items {
 public:
  // Checks that `section` holds `n` items of `unit` bytes' granularity
  // whose ends rise to exactly the data's size.
  static absl::StatusOr<Items> Open(absl::string_view section, uint64_t n,
                                    size_t unit, const char* name) {
    auto fail = [&](absl::string_view what) {
      return absl::DataLossError(
          absl::StrCat("snapshot section ", name, ": ", what));
    };
    if (n > section.size() / 8) {
      return fail(
          absl::StrCat(section.size(), " bytes cannot hold ", n, " items"));
    }
    Items items;
    items.ends_ = section.data();
    items.data_ = section.substr(8 * n);
    uint64_t previous = 0;
    for (uint64_t i = 0; i < n; ++i) {
      const uint64_t end = items.End(i);
      if (end < previous) {
        return fail(absl::StrCat("item ", i, " ends before the one before"));
      }
      previous = end;
    }
    if (items.data_.size() % unit != 0 ||
        previous != items.data_.size() / unit) {
      return fail(absl::StrCat("items end at ", previous, ", the data holds ",
                               items.data_.size() / unit));
    }
    items.unit_ = unit;
    return items;
  }

  // Item i's bytes.
  absl::string_view Item(uint64_t i) const {
    const uint64_t begin = i == 0 ? 0 : End(i - 1);
    return data_.substr(begin * unit_, (End(i) - begin) * unit_);
  }

 private:
  uint64_t End(uint64_t i) const { return GetUint64(ends_ + 8 * i); }

  const char* ends_ = nullptr;
  absl::string_view data_;
  size_t unit_ = 1;
};

// The codes of `lists`, ascending.
std::vector<CpvCode> CodesInOrder(const internal::CpvPostingMap& lists) {
  std::vector<CpvCode> codes;
  codes.reserve(lists.size());
  for (const auto& [code, docs] : lists) codes.push_back(code);
  std::sort(codes.begin(), codes.end(),
            [](CpvCode a, CpvCode b) { return a.digits() < b.digits(); });
  return codes;
}

// The bytes of `lists`' CPV postings section.
size_t CpvPostingsSectionSize(const internal::CpvPostingMap& lists) {
  size_t docs = 0;
  for (const auto& [code, list] : lists) docs += list.size();
  return 8 + 8 * lists.size() + SnapshotAligned(4 * lists.size()) + 4 * docs;
}

// Appends `lists`' CPV postings section to `out`. The section (doc/snapshot.md,
// format 4): the list count K (uint64), the lists' ends in docs (K uint64),
// their codes' digits (K uint32, ascending, zero-padded to a multiple of 8
// bytes), then the lists' docs (uint32), list after list; in code order, so
// that the bytes are the same whatever order the map holds them in.
void AppendCpvPostingsSection(const internal::CpvPostingMap& lists,
                              std::string* out) {
  const std::vector<CpvCode> codes = CodesInOrder(lists);
  const size_t head = out->size();
  PutUint64(codes.size(), out);
  uint64_t end = 0;
  for (CpvCode code : codes) {
    end += lists.at(code).size();
    PutUint64(end, out);
  }
  for (CpvCode code : codes) PutUint32(code.digits(), out);
  out->resize(head + 8 + 8 * codes.size() + SnapshotAligned(4 * codes.size()),
              '\0');
  for (CpvCode code : codes) {
    for (uint32_t doc : lists.at(code)) PutUint32(doc, out);
  }
}

// The lists of a CPV postings section of `kind`, checked: every list's end
// inside the docs and above the one before (no list empty), codes of eight
// digits at most, not 0, strictly ascending (and of seven at most for the
// offered codes, which are posted only above the eighth digit), docs
// strictly ascending in each list and below `docs`. The first problem, in
// list order, is a DataLoss error naming the section, the list and the
// problem.
absl::Status ReadCpvPostings(absl::string_view section, uint32_t kind,
                             uint64_t docs, internal::CpvPostingMap* out) {
  auto fail = [&](const auto&... what) {
    return absl::DataLossError(
        absl::StrCat("snapshot section ", SectionName(kind), ": ", what...));
  };
  const uint64_t lists = section.size() < 8 ? 0 : GetUint64(section.data());
  if (section.size() < 8 || lists > (section.size() - 8) / 12) {
    return fail(section.size(), " bytes cannot hold the ends and codes of ",
                lists, " lists");
  }
  const char* const ends = section.data() + 8;
  const char* const codes = ends + 8 * lists;
  const size_t head = 8 + 8 * lists + SnapshotAligned(4 * lists);
  if (section.size() < head || (section.size() - head) % 4 != 0) {
    return fail(section.size(), " bytes are not the head of ", lists,
                " lists and whole docs");
  }
  const char* const postings = section.data() + head;
  const uint64_t total = (section.size() - head) / 4;
  const bool offered = kind == kOfferedCpvPostingsSection;
  uint64_t begin = 0;
  uint32_t previous_code = 0;
  for (uint64_t i = 0; i < lists; ++i) {
    const uint64_t end = GetUint64(ends + 8 * i);
    const uint32_t digits = GetUint32(codes + 4 * i);
    if (end <= begin || end > total) {
      return fail("list ", i, ": ends at doc ", end, ", not after ", begin,
                  " and within the section's ", total);
    }
    if (digits == 0 || digits >= 100000000 || digits <= previous_code ||
        (offered && CpvCode::FromDigits(digits).depth() == 8)) {
      return fail("list ", i, ": code ", digits, " is not a CPV code",
                  offered ? " of seven digits at most" : "",
                  " above the one before");
    }
    previous_code = digits;
    std::vector<uint32_t>& list = (*out)[CpvCode::FromDigits(digits)];
    list.reserve(end - begin);
    for (uint64_t p = begin; p < end; ++p) {
      const uint32_t doc = GetUint32(postings + 4 * p);
      if (doc >= docs || (p > begin && doc <= list.back())) {
        return fail("list ", i, ": posting ", p - begin, ": doc ", doc,
                    " is not above the one before and below the ", docs,
                    " suppliers");
      }
      list.push_back(doc);
    }
    begin = end;
  }
  if (begin != total) {
    return fail("the lists end at doc ", begin, ", the section holds ", total);
  }
  return absl::OkStatus();
}

std::string HeaderSection(const SupplierIndex& index, size_t terms,
                          bool cpv_concepts) {
  v1::SnapshotHeader header;
  header.set_generation(index.generation());
  header.set_suppliers(index.size());
  header.set_terms(terms);
  header.set_procmatch_version(kVersion);
  header.set_cpv_concepts(cpv_concepts);
  return header.SerializeAsString();
}

absl::Status Corrupted(absl::string_view where) {
  return absl::DataLossError(absl::StrCat("snapshot checksum mismatch", where,
                                          ": the file is truncated or "
                                          "corrupted"));
}

// Format 1 (one CRC-32 trailer over the whole file) is no longer read; an
// intact one is refused with what to do, a damaged one as corruption.
absl::Status RefuseFormat1(absl::string_view bytes) {
  if (bytes.size() < internal::kSnapshotVersionAt + 8 ||
      internal::Crc32(bytes.substr(0, bytes.size() - 4)) !=
          GetUint32(bytes.data() + bytes.size() - 4)) {
    return Corrupted("");
  }
  return absl::FailedPreconditionError(absl::StrCat(
      "snapshot format version 1 is older than this procmatch ", kVersion,
      " reads (", FormatsRead(), "); rebuild it with `procmatch index`"));
}

// The supplier's concepts: (digits, weight) pairs of CPV codes of the
// built-in taxonomy (the concept layer's), weights in (0, 1]; each code
// looked up once, for its ordinal.
absl::Status ReadConcepts(absl::string_view entries, size_t s,
                          internal::RestoredConcepts* out) {
  const size_t n = entries.size() / 8;
  if (n > static_cast<size_t>(CpvConcepts::kMaxConcepts)) {
    return absl::DataLossError(absl::StrCat("snapshot supplier ", s, ": ", n,
                                            " concepts, more than ",
                                            CpvConcepts::kMaxConcepts));
  }
  const CpvTaxonomy& cpv = CpvTaxonomy::Builtin();
  out->concepts.reserve(n);
  out->ordinals.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const uint32_t digits = GetUint32(entries.data() + 8 * i);
    const uint32_t bits = GetUint32(entries.data() + 8 * i + 4);
    float weight;
    std::memcpy(&weight, &bits, sizeof(weight));
    const int ordinal =
        digits < 100000000 ? cpv.Ordinal(CpvCode::FromDigits(digits)) : -1;
    if (ordinal < 0 || !(weight > 0 && weight <= 1)) {
      return absl::DataLossError(
          absl::StrCat("snapshot supplier ", s, ": concept ", i,
                       " is not a CPV code with a weight in (0, 1]"));
    }
    out->concepts.push_back(
        internal::SupplierDoc::ConceptRef::OfOrdinal(ordinal, weight));
    out->ordinals.push_back(static_cast<uint16_t>(ordinal));
  }
  return absl::OkStatus();
}

// A snapshot file mapped read-only, unmapped when the last doc whose profile
// bytes lie in it, and the last term postings read from it, are gone
// (doc/snapshot.md, "What a loaded index keeps").
class MappedSnapshot {
 public:
  MappedSnapshot(void* address, size_t size) : address_(address), size_(size) {}
  ~MappedSnapshot() { munmap(address_, size_); }
  MappedSnapshot(const MappedSnapshot&) = delete;
  MappedSnapshot& operator=(const MappedSnapshot&) = delete;

  absl::string_view bytes() const {
    return absl::string_view(static_cast<const char*>(address_), size_);
  }
  // Takes the pages out of the process's resident set once loaded, but
  // those `kept` lies on (the term postings, which matching reads where
  // they lie; empty for none): the other sections but the profiles are not
  // read again, and a profile read later (an explanation) brings its page
  // back from the page cache. REQUIRES: `kept` lies in bytes().
  void Release(absl::string_view kept) const {
    const uintptr_t begin = reinterpret_cast<uintptr_t>(address_);
    const uintptr_t end = begin + size_;
    const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
    uintptr_t keep_begin = begin, keep_end = begin;
    if (!kept.empty()) {
      const uintptr_t first = reinterpret_cast<uintptr_t>(kept.data());
      keep_begin = first / page * page;
      keep_end = (first + kept.size() + page - 1) / page * page;
    }
    if (keep_begin > begin) {
      madvise(address_, keep_begin - begin, MADV_DONTNEED);
    }
    if (keep_end < end) {
      madvise(reinterpret_cast<void*>(keep_end), end - keep_end, MADV_DONTNEED);
    }
  }

 private:
  void* const address_;
  const size_t size_;
};

// LoadSnapshot, the docs' profile bytes and the term postings left in
// `mapping` when it holds `bytes` (then released, but the term postings'
// pages: MappedSnapshot::Release), or copied when `mapping` is null.
absl::StatusOr<std::shared_ptr<const SupplierIndex>> LoadSnapshotIn(
    absl::string_view bytes, std::shared_ptr<const MappedSnapshot> mapping,
    const Options& options);

}  // namespace

std::string SaveSnapshot(const SupplierIndex& index) {
  const internal::IndexData& data = internal::IndexAccess::Data(index);
  // The canonical form: terms in byte order, whatever ids the index gave
  // them (ids follow the order suppliers were added in), so that the same
  // suppliers always give the same bytes.
  const std::vector<absl::string_view> terms = data.Vocabulary();
  std::vector<uint32_t> order(terms.size());
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(),
            [&](uint32_t a, uint32_t b) { return terms[a] < terms[b]; });
  std::vector<uint32_t> canonical_id(terms.size());
  ItemsWriter vocabulary(terms.size());
  for (uint32_t i = 0; i < order.size(); ++i) {
    canonical_id[order[i]] = i;
    vocabulary.data()->append(terms[order[i]].data(), terms[order[i]].size());
    vocabulary.EndItem(vocabulary.data()->size());
  }
  const bool cpv_concepts = data.options().cpv_concepts;
  const internal::TermPostingStore& term_postings = data.AllTermPostings();
  const internal::CpvPostingMap& cpv_postings = data.AllCpvPostings();
  const internal::CpvPostingMap& offered_cpv_postings =
      data.AllOfferedCpvPostings();
  std::string header = HeaderSection(index, terms.size(), cpv_concepts);
  // Every section is written once, where it goes in the file's bytes, which
  // are made at their size: the file is as large as the index, and on a
  // machine where touching a page for the first time is dear, building each
  // section apart (grown by doubling) and copying it in took most of a 1M
  // save (sessions 22 and 23, doc/benchmarks.md). So the sizes come first:
  // the sections of one item per supplier (its ends, then the items) from
  // their items' sizes.
  const size_t n = static_cast<size_t>(index.size());
  uint64_t profile_bytes = 0, term_entries = 0, concept_entries = 0;
  for (size_t d = 0; d < n; ++d) {
    const internal::SupplierDoc& doc = data.doc(d);
    profile_bytes += doc.profile_bytes.view().size();
    term_entries += doc.terms.size();
    if (cpv_concepts) concept_entries += doc.parts.concepts().size();
  }
  const size_t size[kSectionCount] = {
      header.size(),
      vocabulary.size(),
      8 * n + profile_bytes,
      8 * n + 8 * term_entries,
      8 * n + 8 * concept_entries,
      term_postings.SectionSize(),
      CpvPostingsSectionSize(cpv_postings),
      CpvPostingsSectionSize(offered_cpv_postings)};
  size_t at[kSectionCount + 1];
  at[0] = kSnapshotFixedHeader + kSnapshotTableEntry * kSectionCount;
  for (uint32_t k = 0; k < kSectionCount; ++k) {
    at[k + 1] = at[k] + SnapshotAligned(size[k]);
  }

  std::string out;
  out.reserve(at[kSectionCount]);
  out.append(kSnapshotMagic, sizeof(kSnapshotMagic));
  PutUint32(kSnapshotFormatVersion, &out);
  PutUint32(0, &out);  // The header CRC, set below.
  PutUint32(kSectionCount, &out);
  PutUint32(0, &out);  // Reserved.
  for (uint32_t k = 0; k < kSectionCount; ++k) {
    PutUint32(k + 1, &out);
    PutUint32(0, &out);  // The section's CRC, set below.
    PutUint64(at[k], &out);
    PutUint64(size[k], &out);
  }
  // Ends section `kind`, padded to the next one. The writers below and the
  // sizes above agree; if a change ever made them disagree, the file would
  // be cut or padded under valid checksums, so that stops the process here
  // in every build rather than write it.
  auto end_section = [&](uint32_t kind) {
    if (out.size() != at[kind - 1] + size[kind - 1]) {
      std::fprintf(stderr,
                   "procmatch: SaveSnapshot wrote %zu bytes of section %s, "
                   "sized at %zu\n",
                   out.size() - at[kind - 1], SectionName(kind),
                   size[kind - 1]);
      std::abort();
    }
    out.resize(at[kind], '\0');
  };
  // A section of one item per supplier: the ends (cumulative, in units of
  // the items' granularity), then the items.
  auto put_ends = [&](auto units_of) {
    uint64_t end = 0;
    for (size_t d = 0; d < n; ++d) {
      end += units_of(data.doc(d));
      PutUint64(end, &out);
    }
  };
  out += header;
  std::string().swap(header);
  end_section(kHeaderSection);
  vocabulary.MoveTo(&out);
  end_section(kVocabularySection);

  put_ends([](const internal::SupplierDoc& doc) {
    return doc.profile_bytes.view().size();
  });
  for (size_t d = 0; d < n; ++d) {
    const absl::string_view profile = data.doc(d).profile_bytes.view();
    out.append(profile.data(), profile.size());
  }
  end_section(kProfilesSection);

  put_ends([](const internal::SupplierDoc& doc) { return doc.terms.size(); });
  internal::TermCounts counts;
  for (size_t d = 0; d < n; ++d) {
    const internal::SupplierDoc& doc = data.doc(d);
    counts.assign(doc.terms.begin(), doc.terms.end());
    for (auto& [term, count] : counts) term = canonical_id[term];
    std::sort(counts.begin(), counts.end());
    for (const auto& [term, count] : counts) {
      PutUint32(term, &out);
      PutUint32(count, &out);
    }
  }
  end_section(kTermsSection);

  put_ends([&](const internal::SupplierDoc& doc) {
    return cpv_concepts ? doc.parts.concepts().size() : size_t{0};
  });
  if (cpv_concepts) {
    for (size_t d = 0; d < n; ++d) {
      for (const internal::SupplierDoc::ConceptRef& c :
           data.doc(d).parts.concepts()) {
        uint32_t bits;
        std::memcpy(&bits, &c.weight, sizeof(bits));
        PutUint32(c.code().digits(), &out);
        PutUint32(bits, &out);
      }
    }
  }
  end_section(kConceptsSection);

  term_postings.AppendSection(order, &out);
  end_section(kTermPostingsSection);
  AppendCpvPostingsSection(cpv_postings, &out);
  end_section(kCpvPostingsSection);
  AppendCpvPostingsSection(offered_cpv_postings, &out);
  end_section(kOfferedCpvPostingsSection);
  // Every checksum, a section's covering its padding too: every byte of the
  // file is under a checksum.
  internal::ResealSnapshot(&out);
  return out;
}

absl::StatusOr<std::shared_ptr<const SupplierIndex>> LoadSnapshot(
    absl::string_view bytes, const Options& options) {
  return LoadSnapshotIn(bytes, nullptr, options);
}

namespace {

absl::StatusOr<std::shared_ptr<const SupplierIndex>> LoadSnapshotIn(
    absl::string_view bytes, std::shared_ptr<const MappedSnapshot> mapping,
    const Options& options) {
  if (bytes.size() < sizeof(kSnapshotMagic) ||
      std::memcmp(bytes.data(), kSnapshotMagic, sizeof(kSnapshotMagic)) != 0) {
    return absl::DataLossError(
        "not a procmatch snapshot (no PROCMSNP magic number)");
  }
  auto truncated = [&] {
    return absl::DataLossError(absl::StrCat(
        "snapshot truncated: ", bytes.size(), " bytes is less than a header"));
  };
  if (bytes.size() < internal::kSnapshotVersionAt + 4) return truncated();
  const uint32_t version =
      GetUint32(bytes.data() + internal::kSnapshotVersionAt);
  if (version == 1) return RefuseFormat1(bytes);
  if (bytes.size() < kSnapshotFixedHeader) return truncated();
  // The header checksum covers the version and the section table, so it is
  // checked first: a flipped bit anywhere, the version included, is
  // reported as corruption. From format 2 on, the fixed header keeps its
  // layout, so a newer file's header checksum can be checked too.
  const uint32_t count =
      GetUint32(bytes.data() + internal::kSnapshotSectionCountAt);
  const bool newer = version > kSnapshotFormatVersion;
  const std::string maybe_newer =
      newer ? absl::StrCat(" (or the file was written in format version ",
                           version, " by a newer procmatch; this one, ",
                           kVersion, ", reads formats ", FormatsRead(),
                           ": rebuild it with `procmatch index`)")
            : "";
  constexpr uint32_t kMaxSections = 1024;
  if (count > kMaxSections ||
      bytes.size() < kSnapshotFixedHeader + kSnapshotTableEntry * count ||
      SnapshotHeaderCrc(bytes.substr(
          0, kSnapshotFixedHeader + kSnapshotTableEntry * count)) !=
          GetUint32(bytes.data() + kSnapshotHeaderCrcAt)) {
    return Corrupted(maybe_newer);
  }
  if (newer) {
    return absl::FailedPreconditionError(
        absl::StrCat("snapshot format version ", version,
                     " is newer than this procmatch ", kVersion, " reads (",
                     FormatsRead(), "); rebuild the index or upgrade"));
  }
  if (version < kOldestFormatVersion) {
    return absl::DataLossError(
        absl::StrCat("snapshot format version ", version, " is unknown"));
  }

  // The table held its checksum: check its structure anyway (a writer bug
  // or a crafted file is an error, not a crash). Sections are in kind
  // order, aligned, back to back, up to the end of the file.
  const uint32_t expected = SectionsOfFormat(version);
  if (count != expected) {
    return absl::DataLossError(absl::StrCat("snapshot format ", version,
                                            " has ", count, " sections, not ",
                                            expected));
  }
  absl::string_view section[kSectionCount];
  uint32_t crc[kSectionCount];
  uint64_t end = kSnapshotFixedHeader + kSnapshotTableEntry * count;
  uint64_t offsets[kSectionCount], lengths[kSectionCount];
  constexpr uint64_t kMaxLength = uint64_t{1} << 56;  // No overflow below.
  for (uint32_t k = 0; k < count; ++k) {
    const char* entry =
        bytes.data() + kSnapshotFixedHeader + kSnapshotTableEntry * k;
    const uint32_t kind = GetUint32(entry);
    crc[k] = GetUint32(entry + 4);
    offsets[k] = GetUint64(entry + 8);
    lengths[k] = GetUint64(entry + 16);
    if (kind != k + 1 || offsets[k] != end || lengths[k] > kMaxLength) {
      return absl::DataLossError(
          absl::StrCat("snapshot section table: entry ", k, " (kind ", kind,
                       ", at ", offsets[k], ", ", lengths[k],
                       " bytes) is out of order or not back to back"));
    }
    end = SnapshotAligned(offsets[k] + lengths[k]);
  }
  // A truncated file reads as the other checksum errors do.
  if (end > bytes.size()) {
    return absl::DataLossError(absl::StrCat(
        "snapshot checksum mismatch: the file is truncated or corrupted (",
        bytes.size(), " bytes, its sections end at ", end, ")"));
  }
  if (end < bytes.size()) {
    return absl::DataLossError(absl::StrCat("snapshot size: ", bytes.size(),
                                            " bytes, its sections end at ", end,
                                            ": the file has bytes appended"));
  }
  for (uint32_t k = 0; k < count; ++k) {
    section[k] = bytes.substr(offsets[k], lengths[k]);
  }
  // Every section's checksum (over the section and its padding) is checked
  // before any of it is used, on options.build_threads threads.
  std::atomic<uint32_t> next{0};
  bool intact[kSectionCount];
  auto check = [&] {
    for (uint32_t k; (k = next.fetch_add(1)) < count;) {
      const size_t offset = section[k].data() - bytes.data();
      const absl::string_view padded = bytes.substr(
          offset, SnapshotAligned(offset + section[k].size()) - offset);
      intact[k] = internal::Crc32(padded) == crc[k];
    }
  };
  {
    // A thread is worth starting for a megabyte or more.
    constexpr size_t kBytesForThreads = 1 << 20;
    const int threads =
        bytes.size() < kBytesForThreads
            ? 1
            : std::min<int>(internal::BuildThreads(options), count);
    std::vector<std::thread> helpers;
    for (int t = 1; t < threads; ++t) {
      helpers.emplace_back(check);
    }
    check();
    for (std::thread& t : helpers) t.join();
  }
  for (uint32_t k = 0; k < count; ++k) {
    if (!intact[k]) {
      return Corrupted(absl::StrCat(" in section ", SectionName(k + 1)));
    }
  }

  // Protobuf would log some parse problems (invalid UTF-8 in a string) to
  // stderr itself; the statuses below report them instead.
  google::protobuf::LogSilencer silence_protobuf;
  v1::SnapshotHeader header;
  if (!header.ParseFromArray(section[0].data(),
                             static_cast<int>(section[0].size()))) {
    return absl::DataLossError("snapshot section header: does not parse");
  }
  const uint64_t n = header.suppliers();
  absl::StatusOr<Items> vocabulary_items = Items::Open(
      section[kVocabularySection - 1], header.terms(), 1, "vocabulary");
  if (!vocabulary_items.ok()) return vocabulary_items.status();
  // The caller's bytes may be gone once loaded: unless they are the store
  // (a mapped file), the profiles are copied, in one block the docs keep.
  std::shared_ptr<const void> store = mapping;
  absl::string_view profiles_section = section[kProfilesSection - 1];
  if (store == nullptr) {
    auto copy = std::make_shared<const std::string>(profiles_section);
    profiles_section = *copy;
    store = std::move(copy);
  }
  absl::StatusOr<Items> profiles =
      Items::Open(profiles_section, n, 1, "profiles");
  if (!profiles.ok()) return profiles.status();
  absl::StatusOr<Items> term_counts =
      Items::Open(section[kTermsSection - 1], n, 8, "terms");
  if (!term_counts.ok()) return term_counts.status();
  absl::StatusOr<Items> concepts =
      Items::Open(section[kConceptsSection - 1], n, 8, "concepts");
  if (!concepts.ok()) return concepts.status();

  // Canonical: in byte order, so strictly ascending (the analyser may give
  // an empty term, which comes first).
  // Views of the file's bytes: the index copies the texts once, into its
  // dictionary (a string each, most of them on the heap, took about a
  // tenth of a load's perf samples at 1M suppliers, on one thread).
  std::vector<absl::string_view> vocabulary;
  vocabulary.reserve(header.terms());
  for (uint64_t i = 0; i < header.terms(); ++i) {
    const absl::string_view term = vocabulary_items->Item(i);
    if (i > 0 && term <= vocabulary.back()) {
      return absl::DataLossError(
          absl::StrCat("snapshot vocabulary: term ", i, " is out of order"));
    }
    vocabulary.push_back(term);
  }
  const bool has_concepts = header.cpv_concepts();
  // Into the chunk's record of its previous supplier, whose vectors the
  // concepts reuse.
  auto read = [&](size_t s, internal::StoredSupplier* stored) {
    stored->profile = internal::ProfileBytes(profiles->Item(s), store);
    stored->terms = internal::StoredTerms(term_counts->Item(s));
    stored->has_concepts = has_concepts;
    stored->concepts.concepts.clear();
    stored->concepts.ordinals.clear();
    if (has_concepts && options.cpv_concepts) {
      return ReadConcepts(concepts->Item(s), s, &stored->concepts);
    }
    return absl::OkStatus();
  };
  // Format 3 stores the term postings, format 4 the CPV postings too: read,
  // checked structurally, each on one of the threads that assemble the
  // index (derived there from older formats).
  internal::StoredPostings stored;
  if (version >= 3) {
    stored.terms = [&](internal::TermPostingStore* postings) {
      // Read in place from a mapped file, when a posting read past its
      // list's end (only bytes changed since the load are) stays on the
      // mapping's pages; else (the section ends a format 3 file near a
      // page's end) copied.
      const absl::string_view term_postings = section[kTermPostingsSection - 1];
      std::shared_ptr<const void> file;
      if (mapping != nullptr) {
        const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
        const uintptr_t readable_end =
            (reinterpret_cast<uintptr_t>(bytes.data()) + bytes.size() + page -
             1) /
            page * page;
        const uintptr_t postings_end =
            reinterpret_cast<uintptr_t>(term_postings.data()) +
            term_postings.size();
        if (readable_end - postings_end >= internal::kMaxPostingBytes) {
          file = mapping;
        }
      }
      absl::StatusOr<internal::TermPostingStore> read_postings =
          internal::TermPostingStore::FromSection(term_postings, header.terms(),
                                                  n, std::move(file));
      if (!read_postings.ok()) {
        return absl::DataLossError(
            absl::StrCat("snapshot section term postings: ",
                         read_postings.status().message()));
      }
      *postings = *std::move(read_postings);
      return absl::OkStatus();
    };
  }
  if (version >= 4) {
    stored.cpv = [&](internal::CpvPostingMap* cpv,
                     internal::CpvPostingMap* offered) {
      absl::Status status = ReadCpvPostings(section[kCpvPostingsSection - 1],
                                            kCpvPostingsSection, n, cpv);
      if (!status.ok()) return status;
      return ReadCpvPostings(section[kOfferedCpvPostingsSection - 1],
                             kOfferedCpvPostingsSection, n, offered);
    };
  }
  absl::StatusOr<std::shared_ptr<const SupplierIndex>> index =
      internal::RestoreIndex(vocabulary, n, read, stored, header.generation(),
                             options);
  if (mapping != nullptr) {
    mapping->Release(index.ok() ? internal::IndexAccess::Data(**index)
                                      .AllTermPostings()
                                      .MappedPostings()
                                : absl::string_view());
  }
  return index;
}

}  // namespace

absl::StatusOr<std::shared_ptr<const SupplierIndex>> LoadSnapshotFile(
    const std::string& path, const Options& options) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return absl::NotFoundError(
        absl::StrCat(path, ": cannot open: ", std::strerror(errno)));
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    const int error = errno;
    close(fd);
    return absl::InternalError(
        absl::StrCat(path, ": cannot stat: ", std::strerror(error)));
  }
  const size_t size = static_cast<size_t>(st.st_size);
  void* mapped = MAP_FAILED;
  if (S_ISREG(st.st_mode) && size > 0) {
    mapped = mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
  }
  absl::StatusOr<std::shared_ptr<const SupplierIndex>> index;
  if (mapped != MAP_FAILED) {
    close(fd);
    auto mapping = std::make_shared<const MappedSnapshot>(mapped, size);
    index = LoadSnapshotIn(mapping->bytes(), mapping, options);
  } else {
    // Not mappable (a pipe, an empty file, a file system without mmap):
    // read it.
    std::string bytes;
    char buffer[1 << 16];
    for (ssize_t got; (got = read(fd, buffer, sizeof(buffer))) != 0;) {
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) {
        const int error = errno;
        close(fd);
        return absl::DataLossError(
            absl::StrCat(path, ": cannot read: ", std::strerror(error)));
      }
      bytes.append(buffer, static_cast<size_t>(got));
    }
    close(fd);
    index = LoadSnapshot(bytes, options);
  }
  if (!index.ok()) {
    return absl::Status(index.status().code(),
                        absl::StrCat(path, ": ", index.status().message()));
  }
  return index;
}

}  // namespace procmatch
