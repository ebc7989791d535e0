package user

import (
	"google.golang.org/protobuf/types/known/timestamppb"

	userv1 "github.com/harnesshero/platform/gen/harness/user/v1"
	"github.com/harnesshero/platform/platform/identity"
)

// sessionToProto signs an access token for a's current role in sess and
// returns the session's tokens.
func (s *service) sessionToProto(a account, sess session, refreshToken string) (*userv1.Session, error) {
	access, exp, err := s.issuer.Issue(identity.Identity{UserID: a.ID, Role: a.Role, SessionID: sess.ID})
	if err != nil {
		return nil, err
	}
	return &userv1.Session{
		AccessToken:            access,
		AccessTokenExpireTime:  timestamppb.New(exp),
		RefreshToken:           refreshToken,
		RefreshTokenExpireTime: timestamppb.New(sess.ExpiresAt),
		TokenType:              "Bearer",
		SessionId:              sess.ID,
	}, nil
}

// userToProto is the contract's view of a.
func userToProto(a account) *userv1.User {
	role := userv1.Role_ROLE_USER
	if a.Role == identity.RoleAdmin {
		role = userv1.Role_ROLE_ADMIN
	}
	return &userv1.User{
		Id:          a.ID,
		Email:       a.Email,
		DisplayName: a.DisplayName,
		Role:        role,
		CreateTime:  timestamppb.New(a.CreatedAt),
		UpdateTime:  timestamppb.New(a.UpdatedAt),
	}
}
