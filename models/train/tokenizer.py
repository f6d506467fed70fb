"""Character-level tokenizer for StepMath (fixed vocabulary of 100 ids).

ids: 0 <pad>, 1 <bos>, 2 <eos>, 3 <unk>, 4 "\n", 5..99 = printable ASCII 32..126.
A training sequence is  <bos> problem "\n" step1 "\n" ... "Answer: v\n" <eos>.
The prompt at inference time is  <bos> problem "\n".
"""
import json

PAD, BOS, EOS, UNK, NL = 0, 1, 2, 3, 4
SPECIALS = ["<pad>", "<bos>", "<eos>", "<unk>"]
CHARS = ["\n"] + [chr(c) for c in range(32, 127)]
ITOS = SPECIALS + CHARS
STOI = {s: i for i, s in enumerate(ITOS)}
VOCAB_SIZE = len(ITOS)
assert VOCAB_SIZE == 100


def encode(text):
    """Plain characters only (no special tokens are parsed out of text)."""
    return [STOI.get(ch, UNK) if ch not in SPECIALS else UNK for ch in text]


def decode(ids):
    return "".join(ITOS[i] for i in ids if i >= 4)


def prompt_ids(problem):
    return [BOS] + encode(problem + "\n")


def sequence_ids(problem, solution):
    """solution: lines joined by "\n" (no trailing newline needed)."""
    sol = solution.rstrip("\n") + "\n"
    return [BOS] + encode(problem + "\n" + sol) + [EOS]


def hf_tokenizer_json():
    """Hugging Face `tokenizers` JSON: BPE with no merges == one token per char."""
    vocab = {s: i for i, s in enumerate(ITOS)}
    added = [
        {"id": i, "content": s, "single_word": False, "lstrip": False, "rstrip": False,
         "normalized": False, "special": True}
        for i, s in enumerate(SPECIALS)
    ]
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": None,
        "pre_tokenizer": None,
        "post_processor": None,
        "decoder": {"type": "Fuse"},
        "model": {
            "type": "BPE",
            "dropout": None,
            "unk_token": "<unk>",
            "continuing_subword_prefix": None,
            "end_of_word_suffix": None,
            "fuse_unk": False,
            "byte_fallback": False,
            "ignore_merges": False,
            "vocab": vocab,
            "merges": [],
        },
    }


def hf_tokenizer_config():
    return {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_type": "stepmath-gpt",
        "bos_token": "<bos>",
        "eos_token": "<eos>",
        "unk_token": "<unk>",
        "pad_token": "<pad>",
        "add_bos_token": False,
        "add_eos_token": False,
        "clean_up_tokenization_spaces": False,
        "padding_side": "left",
        "model_max_length": 384,
    }


def write_hf_files(folder, model_max_length=384):
    import os
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "tokenizer.json"), "w") as f:
        json.dump(hf_tokenizer_json(), f, indent=1, ensure_ascii=True)
    cfg = hf_tokenizer_config()
    cfg["model_max_length"] = model_max_length
    with open(os.path.join(folder, "tokenizer_config.json"), "w") as f:
        json.dump(cfg, f, indent=1)


if __name__ == "__main__":
    s = "Compute 12 + 7 * ( 5 - 3 ).\n5 - 3 = 2\n7 * 2 = 14\n12 + 14 = 26\nAnswer: 26\n"
    ids = encode(s)
    assert decode(ids) == s and max(ids) < VOCAB_SIZE
    print(ids[:20], len(ids))
