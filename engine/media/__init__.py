"""Audio and video modalities, derived from a module's content blocks.

``script`` turns blocks into slides with the narration spoken over each; ``tts`` is the
speech interface (edge-tts online; Piper, else espeak-ng, offline; chosen at run time);
``slides`` draws a slide to an image with Pillow; ``ffmpeg`` builds and runs the
ffmpeg/ffprobe commands; ``captions`` writes SRT/WebVTT; ``pipeline`` ties them into a
narration track and an MP4.

Nothing here starts a process or opens a socket at import time; the providers and ffmpeg
are used only when a function is called (from a worker thread in the app).
"""
