"""Reading and rewriting a session's media: the files on disk, video edits, clips, reels,
picture in picture, voices, black-outs and captions. The hub's data lives one room up."""
