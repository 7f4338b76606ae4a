#include "convert/valid_utf8.h"

#include "google/protobuf/descriptor.h"

namespace cellfleet::convert {
namespace {

constexpr char kReplacement[] = "\xEF\xBF\xBD";  // U+FFFD

// The length of the well-formed sequence at the start of `text`, or 0.
size_t SequenceLength(absl::string_view text) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  const auto continuation = [&](size_t i, unsigned char low = 0x80, unsigned char high = 0xBF) {
    return i < text.size() && byte(i) >= low && byte(i) <= high;
  };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return continuation(1) ? 2 : 0;
  if (lead >= 0xE0 && lead <= 0xEF) {
    const unsigned char low = lead == 0xE0 ? 0xA0 : 0x80;   // no overlong form
    const unsigned char high = lead == 0xED ? 0x9F : 0xBF;  // no surrogate
    return continuation(1, low, high) && continuation(2) ? 3 : 0;
  }
  if (lead >= 0xF0 && lead <= 0xF4) {
    const unsigned char low = lead == 0xF0 ? 0x90 : 0x80;
    const unsigned char high = lead == 0xF4 ? 0x8F : 0xBF;  // nothing past U+10FFFF
    return continuation(1, low, high) && continuation(2) && continuation(3) ? 4 : 0;
  }
  return 0;
}

bool IsValid(absl::string_view text) {
  while (!text.empty()) {
    const size_t length = SequenceLength(text);
    if (length == 0) return false;
    text.remove_prefix(length);
  }
  return true;
}

}  // namespace

std::string WithValidUtf8(absl::string_view text, size_t* replaced) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    const size_t length = SequenceLength(text);
    if (length == 0) {
      out.append(kReplacement);
      if (replaced != nullptr) ++*replaced;
      text.remove_prefix(1);
      continue;
    }
    out.append(text.data(), length);
    text.remove_prefix(length);
  }
  return out;
}

size_t MakeStringsValidUtf8(google::protobuf::Message& message) {
  using google::protobuf::FieldDescriptor;
  const google::protobuf::Reflection* reflection = message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);  // set fields only
  size_t replaced = 0;
  for (const FieldDescriptor* field : fields) {
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (field->is_repeated()) {
        for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
          replaced += MakeStringsValidUtf8(*reflection->MutableRepeatedMessage(&message, field, i));
        }
      } else {
        replaced += MakeStringsValidUtf8(*reflection->MutableMessage(&message, field));
      }
      continue;
    }
    if (field->type() != FieldDescriptor::TYPE_STRING) continue;  // bytes may be anything
    if (field->is_repeated()) {
      for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
        std::string scratch;
        const std::string& text =
            reflection->GetRepeatedStringReference(message, field, i, &scratch);
        if (!IsValid(text)) {
          reflection->SetRepeatedString(&message, field, i, WithValidUtf8(text, &replaced));
        }
      }
    } else {
      std::string scratch;
      const std::string& text = reflection->GetStringReference(message, field, &scratch);
      if (!IsValid(text)) reflection->SetString(&message, field, WithValidUtf8(text, &replaced));
    }
  }
  return replaced;
}

}  // namespace cellfleet::convert
