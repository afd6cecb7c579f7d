"""Drawing PDFs: fonts, text, codes, pages as pixels, design thumbnails."""
