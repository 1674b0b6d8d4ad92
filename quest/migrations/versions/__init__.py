"""One file per revision; `0001_initial` is the schema `create_all` made before migrations."""
