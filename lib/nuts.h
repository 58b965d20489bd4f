// File: lib/nuts.h
//
// NUTS 2021, the EU's hierarchy of statistical regions, by code prefix:
//
//   BE      Belgium                 (level 0, the country)
//   BE2     Flemish Region          (level 1)
//   BE21    Province of Antwerp     (level 2)
//   BE211   Arr. Antwerpen          (level 3)
//
// Example:
//
//   const procmatch::NutsTaxonomy& nuts = procmatch::NutsTaxonomy::Builtin();
//   absl::StatusOr<procmatch::NutsCode> antwerp = nuts.Parse("BE211");
//   absl::StatusOr<procmatch::NutsCode> ghent = nuts.Parse("BE234");
//   procmatch::NutsCode::SameRegion(*antwerp, *ghent, 1);  // true: Flanders
//   procmatch::NutsCode::SameRegion(*antwerp, *ghent, 2);  // false
//   nuts.Label(*antwerp, "nl");                          // "Arr. Antwerpen"
//
// Threading: NutsTaxonomy is immutable after construction and safe for
// concurrent use by multiple threads. Builtin() is built once, on first use.
#ifndef PROCMATCH_LIB_NUTS_H_
#define PROCMATCH_LIB_NUTS_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace procmatch {

// A NUTS code of level 0 to 3: two letters, then up to three letters or
// digits ("BE", "BE2", "BE21", "BE211"). Stored inline; cheap to copy.
class NutsCode {
 public:
  NutsCode() = default;
  // Does not check that the code exists; use NutsTaxonomy::Parse for input.
  // REQUIRES: 2 <= code.size() <= 5.
  static NutsCode FromString(absl::string_view code);

  absl::string_view code() const {
    return absl::string_view(chars_.data(), size_);
  }
  bool valid() const { return size_ >= 2; }
  int level() const { return size_ - 2; }

  // The two-letter NUTS country prefix ("EL" for Greece).
  absl::string_view nuts_country() const { return code().substr(0, 2); }

  // The ancestor at `level` (0-3). REQUIRES: level <= this->level().
  NutsCode AtLevel(int level) const;

  // True when both codes are at `level` or finer and share that ancestor.
  static bool SameRegion(NutsCode a, NutsCode b, int level);

  // The deepest level at which `a` and `b` share a region, or -1 when they
  // are in different countries.
  static int CommonLevel(NutsCode a, NutsCode b);

  friend bool operator==(NutsCode a, NutsCode b) {
    return a.code() == b.code();
  }
  friend bool operator!=(NutsCode a, NutsCode b) { return !(a == b); }
  template <typename H>
  friend H AbslHashValue(H h, NutsCode c) {
    return H::combine(std::move(h), c.code());
  }

 private:
  std::array<char, 5> chars_{};
  int size_ = 0;
};

// The ISO 3166-1 alpha-2 country of a NUTS country prefix: "EL" is "GR" and
// "UK" is "GB"; every other prefix is the ISO code itself.
std::string IsoCountryOfNuts(absl::string_view nuts_country);

// The NUTS prefix of an ISO 3166-1 alpha-2 country (the inverse).
std::string NutsCountryOfIso(absl::string_view iso_country);

// The known regions with their labels.
class NutsTaxonomy {
 public:
  // NUTS 2021 for 38 countries (level 3 and all its prefixes), with labels
  // for level 3 everywhere and for Belgian levels 1 and 2.
  static const NutsTaxonomy& Builtin();

  // Reads the level-3 list (`code<TAB>en<TAB>fr<TAB>nl<TAB>de`, header line)
  // and optional upper-level labels (`code<TAB>level<TAB>en<TAB>fr<TAB>nl`).
  static absl::StatusOr<NutsTaxonomy> FromTsv(absl::string_view level3_tsv,
                                              absl::string_view upper_tsv);

  NutsTaxonomy(NutsTaxonomy&&) = default;
  NutsTaxonomy& operator=(NutsTaxonomy&&) = default;
  NutsTaxonomy(const NutsTaxonomy&) = delete;
  NutsTaxonomy& operator=(const NutsTaxonomy&) = delete;

  // Parses a code of level 0-3 (spaces ignored, letters upper-cased) and
  // checks that it is a known region or a prefix of one.
  absl::StatusOr<NutsCode> Parse(absl::string_view text) const;

  bool Contains(NutsCode code) const { return regions_.contains(code); }

  // The label in `language` ("en", "fr", "nl", "de"), falling back to
  // English, then to "" where the list has none.
  absl::string_view Label(NutsCode code, absl::string_view language) const;

 private:
  struct Labels {
    std::string en, fr, nl, de;
  };
  NutsTaxonomy() = default;

  // The labels of the region `code`, added empty when it is new.
  Labels& LabelsOf(NutsCode code);

  // Each known region's place in labels_. The labels (128 bytes a region)
  // are kept apart so that Contains(), run for every supplier a load
  // validates, probes a table of 16-byte slots (issue 16).
  absl::flat_hash_map<NutsCode, uint32_t> regions_;
  std::vector<Labels> labels_;
};

}  // namespace procmatch

#endif  // PROCMATCH_LIB_NUTS_H_
