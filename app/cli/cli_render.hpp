// Rendering for the CLI's image outputs (map PNGs, sweep plots) through the
// same view code the GUI draws with, on Qt's offscreen platform.
#pragma once

namespace attnscope::cli {

// True when this binary was built with the views (ATTNSCOPE_GUI=ON).
bool renderingAvailable();
// Creates an offscreen QGuiApplication once, so QPainter can draw text into
// QImages without a display. Safe to call repeatedly. Throws Error(Unavailable)
// when the views were not built.
void ensureRenderingContext();

}  // namespace attnscope::cli
