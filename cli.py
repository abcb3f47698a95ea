"""Run the allocator from a checkout without installing it: ``python cli.py run …``."""

from allocator.cli import main

if __name__ == "__main__":
    main()
