"""One logger for the training scripts: every line to stdout and appended to a log file."""
import os


def run_logger(path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    f = open(path, "a")

    def log(*a):
        s = " ".join(str(x) for x in a)
        print(s, flush=True)
        f.write(s + "\n")
        f.flush()

    return log
