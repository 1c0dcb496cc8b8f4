from django import template

register = template.Library()


@register.filter
def hidden_copy(field) -> str:
    """A field carried along as a hidden input, without the id of its visible twin: two
    elements with one id sent the labels (and screen readers) to the hidden one."""
    return field.as_hidden(attrs={"id": False})
