def render_readme() -> str:
    raise NotImplementedError
