# Writes OUT, a C++ file defining `std::string_view NAME()` in namespace NS from the text of IN.
file(READ ${IN} text)
file(WRITE ${OUT}.tmp "// Generated from ${IN}. Do not edit.\n#include <string_view>\n\nnamespace ${NS} {\n\nstd::string_view ${NAME}() {\n  static constexpr char kText[] = R\"casetrail_embed(${text})casetrail_embed\";\n  return {kText, sizeof(kText) - 1};\n}\n\n}  // namespace ${NS}\n")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
