from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

NAME_MAX_LENGTH = 200


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, name: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=email.strip().lower(), name=name, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, name: str, password: str | None = None) -> User:
        return self.create_user(email, name, password, is_staff=True, is_superuser=True)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. The same person may take part in many programs of many organisations."""

    # Stored in lower case so that one address is one person whatever its spelling.
    email = models.EmailField(max_length=254, unique=True)
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(email=Lower("email")), name="user_email_lower"),
            models.CheckConstraint(condition=~Q(name=""), name="user_name_not_empty"),
        ]
        # Track Progress lists a program's people by name a page at a time: in a large
        # program the database walks this index in order instead of sorting everyone.
        indexes = [models.Index(fields=["name", "id"], name="user_name_order")]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name


class RateLimit(models.Model):
    """How many attempts one key (an account, an address, an organisation) made in the
    current window of one limit. Kept in the database so that every process and machine
    counts together."""

    scope = models.CharField(max_length=50)
    # SHA-256 of the key: bounded in length, and no addresses or emails kept in clear.
    key = models.CharField(max_length=64)
    window_start = models.BigIntegerField(help_text="Unix time the current window began.")
    hits = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="rate_limit_scope_key"),
        ]
        indexes = [models.Index(fields=["window_start"])]

    def __str__(self) -> str:
        return f"{self.scope} {self.key[:8]}…: {self.hits}"
