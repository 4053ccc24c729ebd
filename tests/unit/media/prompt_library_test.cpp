#include "media/prompt_library.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <numbers>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "media/g711.hpp"
#include "media/wav.hpp"
#include "support/source_dir.hpp"
#include "support/temp_dir.hpp"

namespace sb::media {
namespace {

using core::ErrorCode;

std::vector<std::int16_t> tone(std::size_t n, int rate, double hz = 440) {
  std::vector<std::int16_t> s(n);
  for (std::size_t i = 0; i < n; ++i) {
    s[i] = static_cast<std::int16_t>(
        std::lround(6000 * std::sin(2 * std::numbers::pi * hz * static_cast<double>(i) / rate)));
  }
  return s;
}

// A WAV of `samples` samples at `rate`: tests tell files apart by their length.
std::string wavBytes(std::size_t samples, int rate = kSampleRate) {
  const auto bytes = encodePcm16Wav(tone(samples, rate), 1, rate);
  return std::string(bytes.begin(), bytes.end());
}

class PromptLibraryTest : public ::testing::Test {
 protected:
  std::string defaults() const { return (dir_.path() / "defaults").string(); }
  std::string custom() const { return (dir_.path() / "custom").string(); }
  void put(const std::string& relative, std::size_t samples) {
    dir_.write(relative, wavBytes(samples));
  }
  static std::size_t lengthOf(const core::Result<PromptRef>& r) {
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? (*r)->samples() : 0;
  }

  testing::TempDir dir_;
};

TEST(LoadPromptTest, KeepsAnEightKilohertzFileSampleExactInBothCodecs) {
  testing::TempDir dir;
  const auto samples = tone(800, kSampleRate);
  const auto bytes = encodePcm16Wav(samples, 1, kSampleRate);
  const auto path = dir.write("p.wav", std::string(bytes.begin(), bytes.end()));
  auto prompt = loadPrompt(path.string(), "p");
  ASSERT_TRUE(prompt.ok()) << prompt.error().message;
  EXPECT_EQ((*prompt)->name, "p");
  ASSERT_EQ((*prompt)->samples(), 800u);
  ASSERT_EQ((*prompt)->encoded(Codec::kPcmu).size(), 800u);
  ASSERT_EQ((*prompt)->encoded(Codec::kPcma).size(), 800u);
  for (std::size_t i = 0; i < samples.size(); ++i) {
    EXPECT_EQ((*prompt)->encoded(Codec::kPcmu)[i], linearToUlaw(samples[i])) << i;
    EXPECT_EQ((*prompt)->encoded(Codec::kPcma)[i], linearToAlaw(samples[i])) << i;
  }
}

TEST(LoadPromptTest, ConvertsAnyRateToEightKilohertz) {
  testing::TempDir dir;
  for (const int rate : {16000, 22050, 44100, 48000}) {
    const auto path = dir.write("p" + std::to_string(rate) + ".wav", wavBytes(rate, rate));  // 1 s
    auto prompt = loadPrompt(path.string(), "p");
    ASSERT_TRUE(prompt.ok()) << prompt.error().message;
    EXPECT_EQ((*prompt)->samples(), 8000u) << rate;
    // Still a tone of about the same level, not silence or noise.
    double energy = 0;
    for (std::size_t i = 1000; i < 7000; ++i) {
      const double v = ulawToLinear((*prompt)->ulaw[i]);
      energy += v * v;
    }
    EXPECT_NEAR(std::sqrt(energy / 6000), 6000 / std::numbers::sqrt2, 300) << rate;
  }
}

TEST(LoadPromptTest, MissingBrokenAndEmptyFilesAreErrorsNamingThePath) {
  testing::TempDir dir;
  auto missing = loadPrompt((dir.path() / "nope.wav").string(), "nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_NE(missing.error().message.find("nope.wav"), std::string::npos);

  const auto garbage = dir.write("garbage.wav", "this is not a RIFF file at all, not even close");
  auto broken = loadPrompt(garbage.string(), "garbage");
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.error().code, ErrorCode::kInvalidInput);
  EXPECT_NE(broken.error().message.find("garbage.wav"), std::string::npos);

  const auto empty = dir.write("empty.wav", wavBytes(0));
  auto silent = loadPrompt(empty.string(), "empty");
  ASSERT_FALSE(silent.ok());
  EXPECT_EQ(silent.error().code, ErrorCode::kInvalidInput);

  auto directory = loadPrompt(dir.str(), "dir");
  EXPECT_FALSE(directory.ok());
}

TEST_F(PromptLibraryTest, ResolvesOrgLanguageThenOrgThenDefaultLanguageThenCommon) {
  PromptLibrary library(defaults(), custom());
  auto none = library.get("acme", "en", "welcome");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, ErrorCode::kNotFound);
  EXPECT_NE(none.error().message.find("welcome"), std::string::npos);

  put("defaults/common/welcome.wav", 100);
  EXPECT_EQ(lengthOf(library.get("acme", "en", "welcome")), 100u);
  put("defaults/en/welcome.wav", 200);
  library.invalidate("acme");
  EXPECT_EQ(lengthOf(library.get("acme", "en", "welcome")), 200u);
  put("custom/acme/welcome.wav", 300);
  library.invalidate("acme");
  EXPECT_EQ(lengthOf(library.get("acme", "en", "welcome")), 300u);
  put("custom/acme/en/welcome.wav", 400);
  library.invalidate("acme");
  EXPECT_EQ(lengthOf(library.get("acme", "en", "welcome")), 400u);

  // The override is acme's alone; another language of acme gets acme's own file.
  EXPECT_EQ(lengthOf(library.get("globex", "en", "welcome")), 200u);
  EXPECT_EQ(lengthOf(library.get("acme", "ko", "welcome")), 300u);
  EXPECT_EQ(lengthOf(library.get("globex", "ko", "welcome")), 100u);
}

TEST_F(PromptLibraryTest, WorksWithoutACustomDirectory) {
  put("defaults/ko/goodbye.wav", 120);
  PromptLibrary library(defaults(), "");
  EXPECT_EQ(lengthOf(library.get("acme", "ko", "goodbye")), 120u);
}

TEST_F(PromptLibraryTest, AnswersARequestFromMemoryUntilInvalidated) {
  put("defaults/en/welcome.wav", 100);
  PromptLibrary library(defaults(), custom());
  auto first = library.get("acme", "en", "welcome");
  ASSERT_TRUE(first.ok());
  put("custom/acme/welcome.wav", 300);  // not seen until the admin's change is announced
  auto second = library.get("acme", "en", "welcome");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(first->get(), second->get());
  library.invalidate("acme");
  EXPECT_EQ(lengthOf(library.get("acme", "en", "welcome")), 300u);
  // The earlier prompt is still whole for a call that holds it.
  EXPECT_EQ((*first)->samples(), 100u);
}

TEST_F(PromptLibraryTest, ReadsAFileOnceAndSharesItAcrossOrgs) {
  put("defaults/en/welcome.wav", 100);
  put("defaults/en/goodbye.wav", 50);
  PromptLibrary library(defaults(), custom());
  auto a = library.get("acme", "en", "welcome");
  auto b = library.get("acme", "en", "welcome");
  auto c = library.get("globex", "en", "welcome");
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(a->get(), b->get());
  EXPECT_EQ(a->get(), c->get());
  EXPECT_EQ(library.cachedCount(), 1u);
  ASSERT_TRUE(library.get("acme", "en", "goodbye").ok());
  EXPECT_EQ(library.cachedCount(), 2u);
  // Invalidating an org keeps the shared defaults.
  library.invalidate("acme");
  EXPECT_EQ(library.cachedCount(), 2u);
  auto d = library.get("acme", "en", "welcome");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(a->get(), d->get());
}

TEST_F(PromptLibraryTest, InvalidateRereadsTheOrgsReplacedFile) {
  put("custom/acme/en/welcome.wav", 100);
  PromptLibrary library(defaults(), custom());
  auto before = library.get("acme", "en", "welcome");
  ASSERT_TRUE(before.ok());
  put("custom/acme/en/welcome.wav", 250);
  library.invalidate("globex");  // someone else's change: acme keeps its cached file
  EXPECT_EQ(lengthOf(library.get("acme", "en", "welcome")), 100u);
  library.invalidate("acme");
  EXPECT_EQ(lengthOf(library.get("acme", "en", "welcome")), 250u);
  EXPECT_EQ(library.cachedCount(), 1u);
}

TEST_F(PromptLibraryTest, SameFileFromManyThreadsIsLoadedOnce) {
  put("defaults/en/welcome.wav", 16000);
  PromptLibrary library(defaults(), custom());
  std::vector<const Prompt*> seen(8);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < seen.size(); ++i) {
    threads.emplace_back([&, i] {
      auto p = library.get(i % 2 == 0 ? "acme" : "globex", "en", "welcome");
      seen[i] = p.ok() ? p->get() : nullptr;
    });
  }
  for (auto& t : threads) t.join();
  for (const Prompt* p : seen) EXPECT_EQ(p, seen[0]);
  EXPECT_NE(seen[0], nullptr);
  EXPECT_EQ(library.cachedCount(), 1u);
}

TEST_F(PromptLibraryTest, ABrokenOverrideIsAnErrorNotAFallback) {
  put("defaults/en/welcome.wav", 100);
  dir_.write("custom/acme/welcome.wav", "RIFF, but not really");
  PromptLibrary library(defaults(), custom());
  auto r = library.get("acme", "en", "welcome");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidInput);
  EXPECT_NE(r.error().message.find("custom/acme/welcome.wav"), std::string::npos);
  EXPECT_EQ(library.cachedCount(), 0u);
}

TEST_F(PromptLibraryTest, HoldSkipsLanguageDirectories) {
  put("defaults/common/hold.wav", 800);
  put("defaults/en/hold.wav", 1);  // never a language's
  PromptLibrary library(defaults(), custom());
  EXPECT_EQ(lengthOf(library.hold("acme")), 800u);
  put("custom/acme/hold.wav", 1600);
  library.invalidate("acme");
  EXPECT_EQ(lengthOf(library.hold("acme")), 1600u);
  EXPECT_EQ(lengthOf(library.hold("globex")), 800u);
}

TEST_F(PromptLibraryTest, SoundsOfNoLanguageComeFromCommonOrTheOrg) {  // the ringback tone
  put("defaults/common/ringback.wav", 24000);
  put("defaults/ko/ringback.wav", 1);  // never a language's
  PromptLibrary library(defaults(), custom());
  EXPECT_EQ(lengthOf(library.sound("acme", "ringback")), 24000u);
  put("custom/acme/ringback.wav", 8000);
  library.invalidate("acme");
  EXPECT_EQ(lengthOf(library.sound("acme", "ringback")), 8000u);
  EXPECT_EQ(library.sound("acme", "nothing").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(library.sound("acme", "../ringback").error().code, ErrorCode::kInvalidInput);
}

TEST_F(PromptLibraryTest, RejectsPathPartsThatCouldEscape) {
  put("defaults/en/welcome.wav", 100);
  put("secret.wav", 100);           // reachable from custom/ as ../secret
  put("custom/x/secret.wav", 100);  // reachable as org "x/" + name "secret"
  PromptLibrary library(defaults(), custom());
  const std::vector<std::string> bad = {"",
                                        "..",
                                        ".",
                                        "../custom",
                                        "a/b",
                                        "/etc",
                                        "a\\b",
                                        "x..y",
                                        "a b",
                                        "é",
                                        std::string(65, 'a'),
                                        std::string("a\0b", 3)};
  for (const auto& part : bad) {
    auto org = library.get(part, "en", "welcome");
    ASSERT_FALSE(org.ok()) << part;
    EXPECT_EQ(org.error().code, ErrorCode::kInvalidInput) << part;
    auto language = library.get("acme", part, "welcome");
    ASSERT_FALSE(language.ok()) << part;
    EXPECT_EQ(language.error().code, ErrorCode::kInvalidInput) << part;
    auto name = library.get("acme", "en", part);
    ASSERT_FALSE(name.ok()) << part;
    EXPECT_EQ(name.error().code, ErrorCode::kInvalidInput) << part;
    EXPECT_FALSE(library.hold(part).ok()) << part;
  }
  EXPECT_FALSE(library.get("..", "en", "secret").ok());
  EXPECT_FALSE(library.get("acme", "..", "secret").ok());
  EXPECT_FALSE(library.get("acme", "en", "../../secret").ok());
  EXPECT_EQ(library.cachedCount(), 0u);
  // Dots inside a name are fine.
  EXPECT_EQ(lengthOf(library.get("acme.co-1_x", "en", "welcome")), 100u);
}

TEST(NumberNamesTest, EnglishSaysTeensTensAndHundreds) {
  using V = std::vector<std::string>;
  EXPECT_EQ(PromptLibrary::numberNames(1, "en"), V({"num_1"}));
  EXPECT_EQ(PromptLibrary::numberNames(13, "en"), V({"num_13"}));
  EXPECT_EQ(PromptLibrary::numberNames(20, "en"), V({"num_20"}));
  EXPECT_EQ(PromptLibrary::numberNames(23, "en"), V({"num_20", "num_3"}));
  EXPECT_EQ(PromptLibrary::numberNames(100, "en"), V({"num_1", "num_hundred"}));
  EXPECT_EQ(PromptLibrary::numberNames(115, "en"), V({"num_1", "num_hundred", "num_15"}));
  EXPECT_EQ(PromptLibrary::numberNames(203, "en"), V({"num_2", "num_hundred", "num_3"}));
  EXPECT_EQ(PromptLibrary::numberNames(999, "en"), V({"num_9", "num_hundred", "num_90", "num_9"}));
}

TEST(NumberNamesTest, KoreanSaysSinoKoreanNumbers) {
  using V = std::vector<std::string>;
  EXPECT_EQ(PromptLibrary::numberNames(1, "ko"), V({"num_1"}));                      // 일
  EXPECT_EQ(PromptLibrary::numberNames(10, "ko"), V({"num_10"}));                    // 십
  EXPECT_EQ(PromptLibrary::numberNames(11, "ko"), V({"num_10", "num_1"}));           // 십일
  EXPECT_EQ(PromptLibrary::numberNames(20, "ko"), V({"num_2", "num_10"}));           // 이십
  EXPECT_EQ(PromptLibrary::numberNames(47, "ko"), V({"num_4", "num_10", "num_7"}));  // 사십칠
  EXPECT_EQ(PromptLibrary::numberNames(100, "ko"), V({"num_100"}));                  // 백
  EXPECT_EQ(PromptLibrary::numberNames(105, "ko"), V({"num_100", "num_5"}));         // 백오
  EXPECT_EQ(PromptLibrary::numberNames(110, "ko"), V({"num_100", "num_10"}));        // 백십
  EXPECT_EQ(PromptLibrary::numberNames(235, "ko"),
            V({"num_2", "num_100", "num_3", "num_10", "num_5"}));  // 이백삼십오
}

TEST(NumberNamesTest, NothingOutsideOneToNineHundredNinetyNineOrForOtherLanguages) {
  EXPECT_TRUE(PromptLibrary::numberNames(0, "en").empty());
  EXPECT_TRUE(PromptLibrary::numberNames(-5, "ko").empty());
  EXPECT_TRUE(PromptLibrary::numberNames(1000, "en").empty());
  EXPECT_TRUE(PromptLibrary::numberNames(5, "fr").empty());
}

// Every name numberNames() can give, and every prompt the player code asks for by name,
// is one that prompts/prompts.tsv makes for that language.
TEST(NumberNamesTest, EveryNameIsAGeneratedPrompt) {
  std::istringstream tsv(sb::testing::readSourceFile("prompts/prompts.tsv"));
  std::set<std::string> listed;  // "language/name"
  for (std::string line; std::getline(tsv, line);) {
    if (line.empty() || line[0] == '#' || line.starts_with("name\t")) continue;
    const auto tab1 = line.find('\t');
    const auto tab2 = line.find('\t', tab1 + 1);
    if (tab1 == std::string::npos || tab2 == std::string::npos) continue;
    listed.insert(line.substr(tab1 + 1, tab2 - tab1 - 1) + "/" + line.substr(0, tab1));
  }
  ASSERT_FALSE(listed.empty());
  for (const std::string language : {"en", "ko"}) {
    std::set<std::string> used;
    for (int n = 1; n <= 999; ++n) {
      for (const auto& name : PromptLibrary::numberNames(n, language)) used.insert(name);
    }
    for (const auto& name : used) EXPECT_TRUE(listed.contains(language + "/" + name)) << name;
    for (const char* name : {"welcome", "menu_intro", "press_1", "press_9", "please_wait",
                             "position_intro", "position_outro", "callback_offer",
                             "callback_question", "callback_confirm", "no_agents", "goodbye",
                             "recording_notice", "invalid_choice", "expected_wait", "minutes"}) {
      EXPECT_TRUE(listed.contains(language + "/" + name)) << language << "/" << name;
    }
  }
  EXPECT_EQ(listed.size(), 87u);  // update docs/prompts.md with the table
}

}  // namespace
}  // namespace sb::media
